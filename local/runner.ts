import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { fillFacts, fillSecrets, secretsOf } from "../core/fill-secrets";
import { carriesSecrets, Plan, Step, undoSteps } from "../core/plan";
import { ssh, SshTarget, upload } from "./ssh";

/**
 * The local driver of the plan: runs its steps in order over real SSH. Like Pulumi, it keeps
 * the triggers of every step that succeeded and skips a step whose triggers have not changed;
 * `force` runs every step (the scripts themselves then report "unchanged").
 */
export interface RunOptions {
  /** Where the triggers of the steps that succeeded are kept, per server. */
  stateFile: string;
  force?: boolean;
  log?: (line: string) => void;
  /** Values of the plan's secrets, by name (see Step.secrets). */
  secrets: Record<string, string>;
  /** The server's facts, by name (see Step.facts): its data disk's device. */
  facts?: Record<string, string>;
}

export interface StepReport {
  step: string;
  ran: boolean;
  seconds: number;
  output: string;
}

export class StepFailed extends Error {
  constructor(
    readonly step: string,
    readonly output: string,
  ) {
    super(`step ${step} failed:\n${output.trim().split("\n").slice(-20).join("\n")}`);
  }
}

type State = Record<string, string>;

/**
 * The step's triggers, its host's facts and its secrets' values, as the Pulumi driver keeps them
 * (components/deploy.ts): a change of any runs it again.
 */
function fingerprint(step: Step, secrets: Record<string, string>, facts: Record<string, string> = {}): string {
  const values = step.secrets.map((name) => secrets[name]);
  const known = (step.facts ?? []).map((name) => facts[name]);
  // A step without facts keeps the fingerprint it always had: a server's state from before stays valid.
  return crypto
    .createHash("sha256")
    .update(JSON.stringify(known.length > 0 ? [step.triggers, values, known] : [step.triggers, values]))
    .digest("hex");
}

function readState(file: string): State {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as State) : {};
}

export async function runPlan(
  target: SshTarget,
  plan: Pick<Plan, "steps">,
  options: RunOptions,
): Promise<StepReport[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const state = readState(options.stateFile);
  const reports: StepReport[] = [];
  for (const step of plan.steps) {
    const started = Date.now();
    const seconds = (): number => (Date.now() - started) / 1000;
    if (!options.force && state[step.name] === fingerprint(step, options.secrets, options.facts)) {
      log(`${stamp()} ${target.address} ${step.name}: unchanged inputs, skipped`);
      reports.push({ step: step.name, ran: false, seconds: 0, output: "" });
      continue;
    }
    log(`${stamp()} ${target.address} ${step.name}: ${step.summary}`);
    if (step.upload) await upload(target, step.upload.source, step.upload.destination);
    // As Pulumi's logging: none, what a step that handles secrets prints is not shown.
    const show = carriesSecrets(step) ? undefined : (line: string) => log(`    ${line}`);
    // The host's facts first, then the secrets, as the Pulumi driver does.
    const stdin = fillFacts(step, step.stdin, options.facts ?? {});
    const result = await ssh(
      target,
      step.command,
      fillSecrets({ ...step, stdin }, secretsOf(step, options.secrets)),
      show,
    );
    if (result.code !== 0)
      throw new StepFailed(step.name, show ? result.output : "(output hidden: the step handles secrets)");
    log(`${stamp()} ${target.address} ${step.name}: ok in ${seconds().toFixed(1)} s`);
    state[step.name] = fingerprint(step, options.secrets, options.facts);
    fs.mkdirSync(path.dirname(options.stateFile), { recursive: true });
    fs.writeFileSync(options.stateFile, JSON.stringify(state, null, 2));
    // The caller gets the output (the tests check it says "unchanged"); it is only kept out of logs.
    reports.push({ step: step.name, ran: true, seconds: seconds(), output: result.output });
  }
  return reports;
}

export interface UndoOptions {
  /** The triggers file of runPlan: gone once the undo has succeeded, as a destroyed stack's state. */
  stateFile: string;
  log?: (line: string) => void;
}

/**
 * The local driver's `pulumi destroy` on a server the stack did not create: each step's undo,
 * the very command the Pulumi driver gives the step's undo Command as its `delete`, in the
 * order Pulumi deletes them (the reverse of the plan's). The first that fails stops the rest,
 * as a failed delete stops a destroy. Afterwards a deploy runs every step again.
 */
export async function undoPlan(
  target: SshTarget,
  plan: Pick<Plan, "steps">,
  options: UndoOptions,
): Promise<StepReport[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const reports: StepReport[] = [];
  for (const undo of undoSteps(plan)) {
    const started = Date.now();
    log(`${stamp()} ${target.address} ${undo.name}: ${undo.summary}`);
    const result = await ssh(target, undo.command, undefined, (line) => log(`    ${line}`));
    if (result.code !== 0) throw new StepFailed(undo.name, result.output);
    const seconds = (Date.now() - started) / 1000;
    log(`${stamp()} ${target.address} ${undo.name}: ok in ${seconds.toFixed(1)} s`);
    reports.push({ step: undo.name, ran: true, seconds, output: result.output });
  }
  fs.rmSync(options.stateFile, { force: true });
  return reports;
}

function stamp(): string {
  return new Date().toISOString().slice(11, 19);
}
