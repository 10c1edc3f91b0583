import type * as pulumiType from "@pulumi/pulumi";
import { Plan, undoSteps } from "../../core/plan";
import type { RecordedOptions, RecordedResource } from "./mocks";
import { bundle, planOf, privateKey } from "./plan-fixture";

/**
 * `pulumi destroy` in the Pulumi driver, under mocks: on a server you already have, each step's
 * undo is the `delete` of a Command of its own, which a change of the step never replaces; the
 * steps' own Commands have no `delete`, so a replaced step never takes anything away from a live
 * server. The facts of pulumi-command this rests on are cited in components/deploy.ts.
 */
const plan = planOf({ sshUser: "deploy" });

// How a secret value looks in mock inputs: @pulumi/pulumi runtime/rpc.ts, specialSigKey and specialSecretSig.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

interface Run {
  resources: RecordedResource[];
  options: RecordedOptions[];
  undos: pulumiType.Resource[];
  steps: pulumiType.Resource[];
}

/** One HostDeploy under mocks, every child's options recorded. */
async function deploy(undoOnDestroy: boolean | undefined, deployed: Plan = plan): Promise<Run> {
  let run: Run = { resources: [], options: [], undos: [], steps: [] };
  await jest.isolateModulesAsync(async () => {
    const mocks = await import("./mocks");
    await mocks.setupMocks({ stack: "destroy" });
    const { HostDeploy } = await import("../../components/deploy");
    const host = { name: "server-1", address: "192.0.2.10", user: "deploy", port: 22 };
    const secrets = { flaskSecretKey: "k".repeat(64), apiToken: "t".repeat(48) };
    const component = new HostDeploy(
      "server-1",
      { host, plan: deployed, privateKey, secrets, undoOnDestroy, reachability: { seconds: 120, causes: ["a cause"] } },
      { transformations: [mocks.recordOptions] },
    );
    await mocks.valueOf(component.release);
    run = { resources: mocks.resources, options: mocks.options, undos: component.undos, steps: component.steps };
  });
  return run;
}

const commands = (run: Run) => run.resources.filter((r) => r.type === "command:remote:Command");

describe("on a server you already have (undoOnDestroy)", () => {
  let run: Run;
  beforeAll(async () => {
    run = await deploy(true);
  });

  test("each step's undo is the delete of a Command of its own, with exactly these inputs", () => {
    const undos = commands(run).filter((c) => c.name.endsWith("-undo"));
    const users = commands(run).find((c) => c.name === "server-1-users")!;
    const expected = undoSteps(plan).reverse();
    expect(undos.map((c) => c.name)).toEqual(expected.map((u) => `server-1-${u.name.replace(/^undo-/, "")}-undo`));
    undos.forEach((command, i) => {
      expect(Object.keys(command.inputs).sort()).toEqual([
        "addPreviousOutputInEnv",
        "connection",
        "delete",
        "logging",
        "triggers",
      ]);
      // No PULUMI_COMMAND_* variables for sshd to refuse (see the steps').
      expect(command.inputs.addPreviousOutputInEnv).toBe(false);
      expect(command.inputs.delete).toBe(expected[i].command);
      // Only the machine: no change of the plan replaces it (a replace would run its delete).
      expect(command.inputs.triggers).toEqual(["192.0.2.10"]);
      expect(command.inputs.logging).toBe("stdoutAndStderr");
      // The steps' own connection (kept secret): a destroy dials as the last deploy did.
      expect(command.inputs.connection[SECRET_SIG]).toBeDefined();
      expect(command.inputs.connection).toEqual(users.inputs.connection);
      expect(command.inputs.connection.value).toMatchObject({
        host: "192.0.2.10",
        user: "deploy",
        port: 22,
        privateKey,
      });
    });
  });

  test("no step's own Command has a delete: replacing a step never undoes it", () => {
    const steps = commands(run).filter((c) => !c.name.endsWith("-undo"));
    expect(steps.map((c) => c.name)).toEqual(plan.steps.map((s) => `server-1-${s.name}`));
    for (const step of steps) expect(step.inputs.delete).toBeUndefined();
  });

  test("destroy runs the undos in reverse plan order: each depends on the one before, each step on its undo", () => {
    const optionsOf = (name: string) =>
      run.options.find((o) => o.type === "command:remote:Command" && o.name === name)!.opts;
    const inPlanOrder = undoSteps(plan).reverse();
    expect(run.undos).toHaveLength(inPlanOrder.length);
    inPlanOrder.forEach((undo, i) => {
      const options = optionsOf(`server-1-${undo.name.replace(/^undo-/, "")}-undo`);
      expect(options.dependsOn).toEqual(i === 0 ? [] : [run.undos[i - 1]]);
      expect(options.customTimeouts).toEqual({ delete: "20m" });
    });
    plan.steps.forEach((step) => {
      const undoIndex = inPlanOrder.findIndex((u) => u.name === `undo-${step.name}`);
      const dependsOn = optionsOf(`server-1-${step.name}`).dependsOn as pulumiType.Resource[];
      if (undoIndex >= 0) expect(dependsOn).toContain(run.undos[undoIndex]);
      else expect(dependsOn.some((r) => run.undos.includes(r))).toBe(false);
    });
  });
});

test("a change that replaces steps replaces no undo Command; a new undo is only an update", async () => {
  // pulumi-command replaces a Command only when its triggers change (common/inputs.go:
  // replaceOnChanges on `triggers` alone); any other input is an update, which runs `update`,
  // else `create`, and an undo Command has neither (remote/commandController.go, Update).
  const changed = planOf(
    { sshUser: "deploy", workers: "5", destroyKeepsData: "false" },
    { ...bundle, release: "r-ba9876543210", sha256: "b".repeat(64) },
  );
  const [before, after] = [await deploy(true), await deploy(true, changed)];
  const triggersOf = (run: Run, undos: boolean) =>
    Object.fromEntries(
      commands(run)
        .filter((c) => c.name.endsWith("-undo") === undos)
        .map((c) => [c.name, JSON.stringify(c.inputs.triggers)]),
    );
  const replaced = (undos: boolean) =>
    Object.entries(triggersOf(after, undos))
      .filter(([name, triggers]) => triggersOf(before, undos)[name] !== triggers)
      .map(([name]) => name);
  expect(replaced(false)).toEqual(["release", "configs", "database", "switch", "prune"].map((s) => `server-1-${s}`));
  expect(replaced(true)).toEqual([]);
  // Only the users' undo changes (it now removes the data): an update of its `delete`.
  const deleteOf = (run: Run) => Object.fromEntries(commands(run).map((c) => [c.name, c.inputs.delete]));
  const updated = Object.keys(deleteOf(after)).filter((name) => deleteOf(after)[name] !== deleteOf(before)[name]);
  expect(updated).toEqual(["server-1-users-undo"]);
});

test("on an instance the stack created, nothing runs at destroy: no undo Command at all", async () => {
  const run = await deploy(undefined);
  expect(run.undos).toEqual([]);
  expect(commands(run).map((c) => c.name)).toEqual(plan.steps.map((s) => `server-1-${s.name}`));
  for (const command of commands(run)) expect(command.inputs.delete).toBeUndefined();
});
