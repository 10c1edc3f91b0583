import type * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { balancerWindow, HEALTH_CHECK, leaveStep, REJOIN_WAIT, rejoinStep } from "../../core/alb-drain";
import { buildBundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan } from "../../core/plan";
import { parseSettings, RawConfig } from "../../core/settings";
import type * as DeployModule from "../../components/deploy";
import { Run, runProgram } from "./run-program";

/**
 * The rolling deploy behind AWS's load balancer, in the whole program under Pulumi's mocks: three
 * servers, each leaving the load balancer's rotation before its switch and rejoining after it
 * (core/alb-drain.ts), the next server's leave after the previous one's rejoin. A new release
 * changes the inputs of exactly the steps it re-runs: on each server, the plan's steps whose
 * values hold the release, and the leave and rejoin around its switch; that is what
 * `pulumi preview` lists. A failure stops the roll: a failed operation stops `pulumi up`, and
 * even --continue-on-error goes on only with resources that do not depend on it (pulumi/docs,
 * content/blog/continue-on-error/index.md), and every later server's switch depends on it.
 */
const fixtures = path.join(__dirname, "..", "fixtures");
const privateKey = fs.readFileSync(path.join(fixtures, "id_ed25519"), "utf8");
const publicKey = fs.readFileSync(path.join(fixtures, "id_ed25519.pub"), "utf8").trim();
const files = loadServerFiles();
const three: RawConfig = {
  target: "aws",
  adminCidrs: '["203.0.113.7/32"]',
  publicKey,
  privateKey,
  instanceCount: "3",
  database: "rds",
};
const PINNED = "r-0123456789ab";
const NAMES = ["web-1", "web-2", "web-3"];

const run = (raw: RawConfig) =>
  runProgram("dev", {
    config: Object.fromEntries(Object.entries(raw).map(([key, value]) => [`hbnb-stack:${key}`, value!])),
    secretKeys: ["hbnb-stack:privateKey"],
  });

/**
 * The servers' deploys as index.ts makes them behind AWS's load balancer (the leave and rejoin
 * steps on the server itself, each server's roll after the previous one's), with every
 * resource's options recorded: what each depends on.
 */
async function deployed(): Promise<Map<string, string[]>> {
  const dependencies = new Map<string, string[]>();
  await jest.isolateModulesAsync(async () => {
    const mocks = await import("./mocks");
    await mocks.setupMocks();
    const { HostDeploy } = await import("../../components/deploy");
    const plan = buildPlan(parseSettings(three), buildBundle(), files);
    const deploys: DeployModule.HostDeploy[] = [];
    for (const [i, name] of NAMES.entries()) {
      const host = { name, address: `192.0.2.${i + 10}`, user: "ubuntu", port: 22, facts: { dataDevice: "/dev/x" } };
      deploys.push(
        new HostDeploy(
          name,
          {
            host,
            plan,
            privateKey,
            secrets: { flaskSecretKey: "k", apiToken: "t", databasePassword: "p", databaseHost: "db.example" },
            reachability: { seconds: 600, causes: [] },
            rollAfter: deploys[i - 1]?.rolled,
            balancer: { host, drain: leaveStep(files), ready: rejoinStep(files, "200") },
          },
          { transformations: [mocks.recordOptions] },
        ),
      );
    }
    await Promise.all(deploys.map((d) => mocks.valueOf(d.release)));
    for (const { name, opts } of mocks.options) {
      const deps = ((opts as pulumi.CustomResourceOptions).dependsOn ?? []) as pulumi.Resource[];
      const urns = await Promise.all(deps.map((d) => mocks.valueOf(d.urn)));
      dependencies.set(name, urns.map((urn) => String(urn).split("::").pop()!).sort());
    }
  });
  return dependencies;
}

let before: Run;
let after: Run;
let single: Run;
let dependencies: Map<string, string[]>;
beforeAll(async () => {
  before = await run(three);
  after = await run({ ...three, release: PINNED });
  single = await run({ ...three, instanceCount: "1", loadBalancer: "true" });
  expect([before.error, after.error, single.error]).toEqual([undefined, undefined, undefined]);
  dependencies = await deployed();
});

const commands = (r: Run) =>
  r.resources.filter((x) => x.type.startsWith("command:remote:")).map((x) => [x.name, x] as const);

const dependsOn = (name: string) => dependencies.get(name);

test("leave, switch, rejoin on each server, then the next server's leave: one server out of rotation at a time", () => {
  const plan = buildPlan(parseSettings(three), buildBundle(), files);
  const at = plan.steps.findIndex((s) => s.name === "switch");
  const [stepBefore, stepAfter] = [plan.steps[at - 1].name, plan.steps[at + 1].name];
  expect(dependsOn("web-1-leave")).toEqual([`web-1-${stepBefore}`]);
  expect(dependsOn("web-1-switch")).toEqual(["web-1-leave"]);
  expect(dependsOn("web-1-rejoin")).toEqual(["web-1-switch"]);
  expect(dependsOn(`web-1-${stepAfter}`)).toEqual(["web-1-rejoin"]);
  for (const [previous, name] of [
    ["web-1", "web-2"],
    ["web-2", "web-3"],
  ]) {
    expect(dependsOn(`${name}-leave`)).toEqual([`${previous}-rejoin`, `${name}-${stepBefore}`]);
    // (and on the previous server's rejoin itself, as every switch waits for the previous server's)
    expect(dependsOn(`${name}-switch`)).toEqual([`${previous}-rejoin`, `${name}-leave`]);
    expect(dependsOn(`${name}-rejoin`)).toEqual([`${name}-switch`]);
  }
});

test("leave and rejoin run on the server itself, with their scripts, and the switch's triggers", () => {
  const byName = new Map(commands(before));
  for (const name of NAMES) {
    const address = byName.get(`${name}-switch`)!.inputs.connection.value.host;
    for (const step of [leaveStep(files), rejoinStep(files, "200")]) {
      const cmd = byName.get(`${name}-${step.name}`)!;
      expect(cmd.inputs.connection.value).toEqual(expect.objectContaining({ host: address, user: "ubuntu" }));
      expect(cmd.inputs.create).toBe("sudo -n bash -s");
      expect(cmd.inputs.stdin).toBe(step.stdin);
      expect(cmd.inputs.triggers.value).toEqual([
        ...step.triggers,
        ...byName.get(`${name}-switch`)!.inputs.triggers.value,
      ]);
    }
  }
  // The windows from the target group's own health check: 10 s apart, 2 checks, 5 s timeout.
  expect(HEALTH_CHECK).toEqual({ interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 2 });
  expect(leaveStep(files).stdin).toContain(`export HBNB_BALANCER_WINDOW='${balancerWindow(2)}'`);
  expect(balancerWindow(2)).toBe(35);
  expect(rejoinStep(files, "200-499").stdin).toContain("export HBNB_HEALTHY_CODES='200-499'");
  expect(rejoinStep(files, "200").stdin).toContain("export HBNB_HEALTHY_CODES='200-200'");
  expect(rejoinStep(files, "200").stdin).toContain(`export HBNB_READY_WAIT='${REJOIN_WAIT}'`);
});

test("a new release changes the inputs of exactly the steps it re-runs, the leave, switch and rejoin of each server among them", () => {
  const plans = [three, { ...three, release: PINNED }].map((raw) =>
    buildPlan(parseSettings(raw), buildBundle(), files),
  );
  expect(plans[0].release).not.toBe(PINNED);
  const rerun = plans[0].steps
    .filter((step, i) => JSON.stringify(step.triggers) !== JSON.stringify(plans[1].steps[i].triggers))
    .map((step) => step.name);
  expect(rerun).toEqual(["release", "database", "switch", "prune"]);
  const old = new Map(commands(before));
  const changed = commands(after)
    .filter(([name, cmd]) => JSON.stringify(cmd.inputs) !== JSON.stringify(old.get(name)?.inputs))
    .map(([name]) => name);
  // The pinned release is on the servers already: nothing to upload, so no upload resource.
  const perServer = rerun.flatMap((step) => (step === "switch" ? ["leave", "switch", "rejoin"] : [step]));
  // (In the order the program registers them; the order they run in is the test above's.)
  expect(changed.sort()).toEqual(NAMES.flatMap((name) => perServer.map((step) => `${name}-${step}`)).sort());
  expect(changed).toEqual(expect.arrayContaining(["web-1-leave", "web-2-switch", "web-3-rejoin"]));
});

test("one server behind the load balancer: no leave or rejoin (with every target unhealthy, it would send to all anyway)", () => {
  const names = commands(single).map(([name]) => name);
  expect(names).toContain("web-1-switch");
  expect(names.filter((n) => /-(leave|rejoin)$/.test(n))).toEqual([]);
});
