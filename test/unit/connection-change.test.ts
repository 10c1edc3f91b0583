import * as fs from "fs";
import * as path from "path";
import { buildBundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan } from "../../core/plan";
import { parseSettings } from "../../core/settings";
import type { RecordedResource } from "./mocks";
import { loadProject, programConfig } from "../../local/pulumi-cli-config";
import { Machine, runRecipe, shellBlocks, StackState } from "./readme-recipes";
import { Run, runProgram } from "./run-program";

/**
 * What `pulumi up` does to the deploy's commands when a setting of the SSH connection changes,
 * from two runs of the program (before and after the `pulumi config set`) and the rules of the
 * Pulumi driver, restated from its source:
 * - pulumi-go-provider infer/resource.go, `Diff`: a resource that implements Update (remote and
 *   local Command, CopyToRemote all do) is replaced only when an input marked replaceOnChanges
 *   changes (`triggers`, common/inputs.go); a change of any other input (`connection`, a local
 *   command's `environment`) is an update.
 * - pulumi-command remote/commandController.go `Update` (and local/commandController.go): an
 *   update runs `update`, or `create` again when `update` is empty, as it is on every step here.
 *   A replacement runs `create` on the new resource.
 * - remote/copyController.go `Update`: copies again only when the source or remotePath changed.
 * The README's table says the same (checked below).
 */
const root = path.join(__dirname, "..", "..");
const fixtures = path.join(__dirname, "..", "fixtures");
const privateKey = fs.readFileSync(path.join(fixtures, "id_ed25519"), "utf8");
const publicKey = fs.readFileSync(path.join(fixtures, "id_ed25519.pub"), "utf8").trim();
const otherKey =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAnotherkey\n-----END OPENSSH PRIVATE KEY-----\n";
const project = loadProject(path.join(root, "Pulumi.yaml"));
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const machine: Machine = {
  substitutions: { "curl -s https://checkip.amazonaws.com": "203.0.113.7", "cat ~/.ssh/hbnb.pub": publicKey },
  files: { "~/.ssh/hbnb": privateKey, "~/.ssh/other": otherKey },
};
const base = runRecipe(shellBlocks(readme, "Run it on AWS")[0], project, root, machine);
const settings = parseSettings(
  Object.fromEntries(
    Object.entries(programConfig(project, base.name, base.config).config)
      .filter(([key]) => key.startsWith("hbnb-stack:"))
      .map(([key, value]) => [key.slice("hbnb-stack:".length), value]),
  ),
);
const steps = buildPlan(settings, buildBundle(), loadServerFiles()).steps.map((s) => s.name);

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** Inputs as the provider compares them: secrets unwrapped. */
const plain = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    const object = value as Record<string, unknown>;
    if (SECRET_SIG in object) return plain(object.value);
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, plain(v)]));
  }
  return value;
};

type Outcome = "replaced" | "updated" | "unchanged";
function outcomeOf(before: RecordedResource, after: RecordedResource): Outcome {
  const { triggers: t1, ...rest1 } = plain(before.inputs) as Record<string, unknown>;
  const { triggers: t2, ...rest2 } = plain(after.inputs) as Record<string, unknown>;
  if (JSON.stringify(t1) !== JSON.stringify(t2)) return "replaced";
  return JSON.stringify(rest1) === JSON.stringify(rest2) ? "unchanged" : "updated";
}

const run = async (stack: StackState): Promise<Run> => {
  const result = await runProgram(stack.name, programConfig(project, stack.name, stack.config));
  expect(result.error).toBeUndefined();
  return result;
};

/** Per resource of the first host's deploy (named without the host): what the change does to it. */
async function outcomes(line: string): Promise<Record<string, Outcome>> {
  const before = await run(base);
  const after = await run(runRecipe(line, project, root, machine, base));
  const deploy = (r: RecordedResource) => r.type.startsWith("command:") && r.name.startsWith("web-1-");
  const result: Record<string, Outcome> = {};
  for (const resource of before.resources.filter(deploy)) {
    const twin = after.resources.find((r) => r.name === resource.name && r.type === resource.type)!;
    result[resource.name.slice("web-1-".length)] = outcomeOf(resource, twin);
  }
  return result;
}

/** The README's row for a change, as the outcomes make it. */
function row(setting: string, result: Record<string, Outcome>): string {
  const replaced = steps.filter((s) => result[s] === "replaced");
  const updated = steps.filter((s) => result[s] === "updated");
  // Every step runs again: replaced ones as new commands, the others as updates.
  expect(replaced.length + updated.length).toBe(steps.length);
  const probe = result.reachable === "unchanged" ? "does not run" : "runs again";
  const upload = { updated: "updated in the state, not copied", unchanged: "unchanged", replaced: "copied again" }[
    result["release-upload"]
  ];
  const names = (list: string[]) => (list.length ? list.map((s) => `\`${s}\``).join(", ") : "none");
  return `| \`${setting}\` | ${names(replaced)} | ${replaced.length ? "every other step" : "every step"} | ${probe} | ${upload} |`;
}

const table = readme.split("\n").filter((line) => /^\| `(sshPort|sshUser|privateKey)` \|/.test(line));

test.each([
  ["sshPort", "pulumi config set sshPort 2222", ["harden", "firewall"]],
  ["sshUser", "pulumi config set sshUser deploy", ["harden"]],
  ["privateKey", "pulumi config set --secret privateKey < ~/.ssh/other", []],
])(
  "a change of %s updates every command, so every step's create runs again; the README says so",
  async (setting, line, replaced) => {
    const result = await outcomes(line);
    expect(steps.filter((s) => result[s] === "replaced")).toEqual(replaced);
    expect(steps.filter((s) => result[s] === "unchanged")).toEqual([]);
    expect(table).toContain(row(setting, result));
  },
  60000,
);
