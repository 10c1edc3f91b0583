import { fillSecrets, secretsOf } from "../../core/fill-secrets";
import { secretToken, Step } from "../../core/plan";
import { planOf } from "./plan-fixture";

/** The one way both drivers put a step's secrets into its stdin. */
const step = (stdin: string, secrets: string[]): Step => ({
  name: "example",
  summary: "an example",
  command: "sudo -n bash -s",
  stdin,
  triggers: [],
  secrets,
});

test("every token of every secret of the step gets its value, and nothing else changes", () => {
  const s = step(`A=${secretToken("a")}\nB=${secretToken("b")}\nA2=${secretToken("a")}\n`, ["a", "b"]);
  expect(fillSecrets(s, secretsOf(s, { a: "one", b: "two", c: "unused" }))).toBe("A=one\nB=two\nA2=one\n");
});

test("a secret the driver lacks stops the step, named", () => {
  const s = step(`A=${secretToken("a")}\n`, ["a", "b"]);
  expect(() => secretsOf(s, { a: "one" })).toThrow(
    new Error("step example needs the secret b, which the stack does not provide"),
  );
});

test("the plan's secrets step gets both secrets, and no token is left in its stdin", () => {
  const secrets = planOf().steps.find((s) => s.name === "secrets")!;
  const filled = fillSecrets(secrets, secretsOf(secrets, { flaskSecretKey: "k".repeat(64), apiToken: "t".repeat(48) }));
  expect(filled).toContain("k".repeat(64));
  expect(filled).toContain("t".repeat(48));
  expect(filled).not.toContain("@@hbnb-secret:");
  // The steps without secrets keep their stdin as it is.
  const wait = planOf().steps.find((s) => s.name === "wait")!;
  expect(fillSecrets(wait, secretsOf(wait, {}))).toBe(wait.stdin);
});
