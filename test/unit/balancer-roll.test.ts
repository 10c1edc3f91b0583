import type * as pulumi from "@pulumi/pulumi";
import type * as DeployModule from "../../components/deploy";
import { buildBalancerPlan, drainStep, readyStep } from "../../core/balancer";
import { parseSettings } from "../../core/settings";
import * as mocks from "./mocks";
import { ofType, options, valueOf } from "./mocks";
import { files, planOf, privateKey } from "./plan-fixture";
import { runProgram } from "./run-program";

/**
 * The Pulumi driver's rolling deploy through HAProxy (loadBalancerHost): around each web server's
 * switch, a drain before it and a ready after it, both remote commands on the load balancer, and
 * the next server's drain waits for the previous server's ready: one server out of rotation at a
 * time, and a failure anywhere stops the roll with the servers after it untouched (a failed
 * operation stops `pulumi up`; even --continue-on-error goes on only with resources that do not
 * depend on it: pulumi/docs, content/blog/continue-on-error/index.md).
 */
const raw = {
  target: "existing",
  hosts: '["192.0.2.10", "192.0.2.11", "192.0.2.12"]',
  loadBalancerHost: "192.0.2.12",
  databaseUrl: "mysql+mysqldb://hbnb:pw@192.0.2.30/hbnb",
};
const settings = parseSettings({ ...raw, privateKey });
const plan = planOf(raw);
const NAMES = ["web-1", "web-2"];
const servers = NAMES.map((name, i) => ({ name, address: `192.0.2.${i + 10}` }));
const lbHost = { name: "load-balancer", address: "192.0.2.12", user: "ubuntu", port: 22 };

let deploys: DeployModule.HostDeploy[];
let balancer: DeployModule.HostDeploy;

beforeAll(async () => {
  await mocks.setupMocks();
  const { HostDeploy } = await import("../../components/deploy");
  const reachability = { seconds: 120, causes: [] };
  const secrets = { flaskSecretKey: "k", apiToken: "t" };
  balancer = new HostDeploy(
    "load-balancer",
    { host: lbHost, plan: buildBalancerPlan(settings, plan, servers, files), privateKey, secrets: {}, reachability },
    { transformations: [mocks.recordOptions] },
  );
  deploys = [];
  for (const [i, server] of servers.entries()) {
    deploys.push(
      new HostDeploy(
        server.name,
        {
          host: { ...server, user: "ubuntu", port: 22 },
          plan,
          privateKey,
          secrets,
          reachability,
          rollAfter: deploys[i - 1]?.rolled,
          balancer: {
            host: lbHost,
            drain: drainStep(files, server),
            ready: readyStep(files, server),
            after: balancer.steps[balancer.steps.length - 1],
          },
        },
        { transformations: [mocks.recordOptions] },
      ),
    );
  }
  await Promise.all(deploys.map((d) => valueOf(d.release)));
});

async function dependsOn(name: string): Promise<string[]> {
  const opts = options.find((o) => o.name === name)!.opts as pulumi.CustomResourceOptions;
  const deps = (opts.dependsOn ?? []) as pulumi.Resource[];
  const urns = await Promise.all(deps.map((d) => valueOf(d.urn)));
  return urns.map((urn) => String(urn).split("::").pop()!).sort();
}

test("drain, switch, ready, then the next server's drain: one server out of rotation at a time", async () => {
  const before = plan.steps[plan.steps.findIndex((s) => s.name === "switch") - 1].name;
  const after = plan.steps[plan.steps.findIndex((s) => s.name === "switch") + 1].name;
  expect(await dependsOn("web-1-drain")).toEqual(["load-balancer-firewall", `web-1-${before}`]);
  expect(await dependsOn("web-1-switch")).toEqual(["web-1-drain"]);
  expect(await dependsOn("web-1-ready")).toEqual(["web-1-switch"]);
  expect(await dependsOn(`web-1-${after}`)).toEqual(["web-1-ready"]);
  expect(await dependsOn("web-2-drain")).toEqual(["load-balancer-firewall", "web-1-ready", `web-2-${before}`]);
  // (and on web-1-ready itself, as every switch waits for the previous server's: no difference)
  expect(await dependsOn("web-2-switch")).toEqual(["web-1-ready", "web-2-drain"]);
  expect(await dependsOn("web-2-ready")).toEqual(["web-2-switch"]);
});

test("drain and ready run on the load balancer, with the switch's triggers: exactly when it runs", () => {
  for (const [i, name] of NAMES.entries()) {
    const [sw] = ofType("command:remote:Command", `${name}-switch`);
    for (const [kind, step] of [
      ["drain", drainStep(files, servers[i])],
      ["ready", readyStep(files, servers[i])],
    ] as const) {
      const [cmd] = ofType("command:remote:Command", `${name}-${kind}`);
      // The connection is a secret (it holds the key): its value, under the secret's signature.
      expect(cmd.inputs.connection.value).toEqual(
        expect.objectContaining({ host: "192.0.2.12", user: "ubuntu", port: 22 }),
      );
      expect(cmd.inputs.create).toBe("sudo -n bash -s");
      expect(cmd.inputs.stdin).toBe(step.stdin);
      // The switch's triggers hold its secrets: both lists are secrets, compared by value.
      expect(cmd.inputs.triggers.value).toEqual([...step.triggers, ...sw.inputs.triggers.value]);
      expect(sw.inputs.triggers.value).toEqual(expect.arrayContaining(["HBNB_CHECK_PATH=/api/v1/status"]));
    }
  }
});

test("the load balancer's own steps, on its address", () => {
  expect(balancer.steps.length).toBe(4);
  expect(ofType("command:remote:Command", "load-balancer-").map((c) => c.name)).toEqual([
    "load-balancer-wait",
    "load-balancer-packages",
    "load-balancer-haproxy",
    "load-balancer-firewall",
  ]);
});

describe("loadBalancerHost one of hosts", () => {
  test("runs HAProxy only: no step of the app there", async () => {
    const config = Object.fromEntries(
      Object.entries({ ...raw, privateKey }).map(([key, value]) => [`hbnb-stack:${key}`, value]),
    );
    const run = await runProgram("dev", { config, secretKeys: ["hbnb-stack:privateKey"] });
    expect(run.error).toBeUndefined();
    const names = run.resources.filter((r) => r.type === "command:remote:Command").map((r) => r.name);
    expect(names.filter((n) => n.startsWith("server-3"))).toEqual([]);
    expect(names.filter((n) => n.startsWith("server-1"))).toContain("server-1-switch");
    const haproxy = run.resources.find((r) => r.name === "load-balancer-haproxy")!;
    expect(haproxy.inputs.stdin).not.toContain("192.0.2.12:80");
    expect(run.outputs.url).toBe("http://192.0.2.12/");
  });
});
