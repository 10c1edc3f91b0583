import { hostFactToken, secretToken, Step } from "./plan";

/**
 * How both drivers put a step's secrets into its stdin (the plan carries only their tokens):
 * the Pulumi driver with the stack's RandomPassword results, the local driver with its own.
 */

/** The values of STEP's secrets, by name, out of what the driver holds; fails naming one it lacks. */
export function secretsOf<T>(step: Step, secrets: Record<string, T | undefined>): Record<string, T> {
  return Object.fromEntries(
    step.secrets.map((name) => {
      const value = secrets[name];
      if (value === undefined)
        throw new Error(`step ${step.name} needs the secret ${name}, which the stack does not provide`);
      return [name, value];
    }),
  );
}

/** STEP's stdin with each of its secrets' values in place of every one of its tokens. */
export function fillSecrets(step: Step, values: Record<string, string>): string {
  return step.secrets.reduce((text, name) => text.split(secretToken(name)).join(values[name]), step.stdin);
}

/** STEP's stdin with each of the host's facts (Step.facts) in place of its token; fails naming one it lacks. */
export function fillFacts(step: Step, stdin: string, facts: Record<string, string | undefined>): string {
  return (step.facts ?? []).reduce((text, name) => {
    const value = facts[name];
    if (value === undefined)
      throw new Error(`step ${step.name} needs the host's ${name}, which its driver does not provide`);
    return text.split(hostFactToken(name)).join(value);
  }, stdin);
}
