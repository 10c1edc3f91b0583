import * as fs from "fs";
import * as path from "path";
import { buildBundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan, carriesSecrets, secretToken } from "../../core/plan";
import { parseSettings } from "../../core/settings";
import { loadProject, programConfig } from "../../local/pulumi-cli-config";
import { Machine, runRecipe, shellBlocks } from "./readme-recipes";
import { Run, runProgram } from "./run-program";

/**
 * The whole program under Pulumi's mocks with the README's "MariaDB on the servers" recipe after
 * its "Run it on AWS" one: the password of the app's MariaDB user is one more RandomPassword, made
 * only then, and reaches only the steps that write it, as a secret, with their output unlogged.
 */
const root = path.join(__dirname, "..", "..");
const fixtures = path.join(__dirname, "..", "fixtures");
const privateKey = fs.readFileSync(path.join(fixtures, "id_ed25519"), "utf8");
const publicKey = fs.readFileSync(path.join(fixtures, "id_ed25519.pub"), "utf8").trim();
const project = loadProject(path.join(root, "Pulumi.yaml"));
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const machine: Machine = {
  substitutions: { "curl -s https://checkip.amazonaws.com": "203.0.113.7", "cat ~/.ssh/hbnb.pub": publicKey },
  files: { "~/.ssh/hbnb": privateKey },
};
const recipe = [shellBlocks(readme, "Run it on AWS")[0], ...shellBlocks(readme, "MariaDB on the servers")].join("\n");
const stack = runRecipe(recipe, project, root, machine);
const cli = programConfig(project, stack.name, stack.config);
const raw = Object.fromEntries(
  Object.entries(cli.config)
    .filter(([key]) => key.startsWith("hbnb-stack:"))
    .map(([key, value]) => [key.slice("hbnb-stack:".length), value]),
);
const settings = parseSettings(raw);
const plan = buildPlan(settings, buildBundle(), loadServerFiles());

// How a secret value looks in mock inputs: @pulumi/pulumi runtime/rpc.ts, specialSigKey and specialSecretSig.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

let run: Run;
beforeAll(async () => {
  run = await runProgram(stack.name, cli);
  expect(run.error).toBeUndefined();
});

test("the recipe sets database mariadb, and the plan has the mariadb step", () => {
  expect(settings.app.database).toBe("mariadb");
  expect(plan.steps.map((s) => s.name)).toContain("mariadb");
});

test("makes the database password, letters and digits, beside Flask's key and the API token", () => {
  const passwords = run.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
  expect(passwords.map((p) => [p.name, p.inputs])).toEqual([
    ["flask-secret-key", expect.objectContaining({ length: 64, special: false })],
    ["api-token", expect.objectContaining({ length: 48, special: false })],
    ["database-password", expect.objectContaining({ length: 32, special: false })],
  ]);
});

test("sends the password, as a secret, to the mariadb and secrets steps only, whose output is not logged", () => {
  const password = run.resources.find((r) => r.name === "database-password")!.state.result as string;
  expect(password).toMatch(/^\S+$/);
  const commands = run.resources.filter((r) => r.type === "command:remote:Command" && !r.name.endsWith("-undo"));
  const carrying: string[] = [];
  for (const command of commands) {
    const step = plan.steps.find((s) => command.name.endsWith(`-${s.name}`))!;
    const stdin = command.inputs.stdin;
    const text: string = carriesSecrets(step) ? stdin.value : stdin;
    if (text.includes(password)) {
      carrying.push(step.name);
      expect(stdin[SECRET_SIG]).toBe(SECRET_VALUE);
      expect(command.inputs.logging).toBe("none");
      expect(text).not.toContain(secretToken("databasePassword"));
    }
  }
  expect(carrying).toEqual(["mariadb", "secrets"]);
  // No output names it.
  expect(JSON.stringify(run.outputs)).not.toContain(password);
});
