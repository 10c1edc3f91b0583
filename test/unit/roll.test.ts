import type * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import type * as DeployModule from "../../components/deploy";
import { buildBundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan, ebsDevice, hostFactToken } from "../../core/plan";
import { parseSettings } from "../../core/settings";
import * as mocks from "./mocks";
import { ofType, options, valueOf } from "./mocks";

/**
 * Several servers under the Pulumi driver: each prepares the new release at once (packages,
 * release, configs, secrets), but a server's switch waits for the previous server's switch, so
 * they take the release one at a time, and a switch that fails (its health check through Nginx)
 * leaves every server after it on the release it served: a failed operation stops `pulumi up`,
 * and even `--continue-on-error` goes on only with resources that do not depend on the one that
 * failed (pulumi/docs, content/blog/continue-on-error/index.md). Each server's volume step gets
 * its own data device.
 */
const privateKey = fs.readFileSync(path.join(__dirname, "..", "fixtures", "id_ed25519"), "utf8");
const publicKey = fs.readFileSync(path.join(__dirname, "..", "fixtures", "id_ed25519.pub"), "utf8").trim();
const settings = parseSettings({
  target: "aws",
  adminCidrs: '["203.0.113.7/32"]',
  publicKey,
  privateKey,
  instanceCount: "3",
  database: "rds",
});
const plan = buildPlan(settings, buildBundle(), loadServerFiles());
const NAMES = ["web-1", "web-2", "web-3"];
const device = (name: string) => ebsDevice(`vol-0${name.replace("-", "")}`);

let deploys: DeployModule.HostDeploy[];

beforeAll(async () => {
  await mocks.setupMocks();
  const { HostDeploy } = await import("../../components/deploy");
  deploys = [];
  for (const [i, name] of NAMES.entries()) {
    deploys.push(
      new HostDeploy(
        name,
        {
          host: {
            name,
            address: `192.0.2.${i + 10}`,
            user: "ubuntu",
            port: 22,
            facts: { dataDevice: device(name) },
          },
          plan,
          privateKey,
          secrets: { flaskSecretKey: "k", apiToken: "t", databasePassword: "p", databaseHost: "db.example" },
          reachability: { seconds: 600, causes: [] },
          rollAfter: deploys[i - 1]?.switch,
        },
        { transformations: [mocks.recordOptions] },
      ),
    );
  }
  await Promise.all(deploys.map((d) => valueOf(d.release)));
});

/** The names of what the resource NAME depends on. */
async function dependsOn(name: string): Promise<string[]> {
  const opts = options.find((o) => o.name === name)!.opts as pulumi.CustomResourceOptions;
  const deps = (opts.dependsOn ?? []) as pulumi.Resource[];
  const urns = await Promise.all(deps.map((d) => valueOf(d.urn)));
  return urns.map((urn) => String(urn).split("::").pop()!).sort();
}

test("each server's switch waits for its own configs and secrets, and for the previous server's switch", async () => {
  const before = plan.steps[plan.steps.findIndex((s) => s.name === "switch") - 1].name;
  expect(await dependsOn("web-1-switch")).toEqual([`web-1-${before}`]);
  expect(await dependsOn("web-2-switch")).toEqual([`web-1-switch`, `web-2-${before}`]);
  expect(await dependsOn("web-3-switch")).toEqual([`web-2-switch`, `web-3-${before}`]);
});

test("every other step depends on its own server's step before it only: the servers prepare at once", async () => {
  for (const name of NAMES) {
    for (const [i, step] of plan.steps.entries()) {
      if (step.name === "switch") continue;
      const previous = i === 0 ? `${name}-reachable` : `${name}-${plan.steps[i - 1].name}`;
      const own = step.upload ? [`${name}-${step.name}-upload`] : [previous];
      expect([step.name, await dependsOn(`${name}-${step.name}`)]).toEqual([step.name, own]);
    }
  }
});

test("the volume step runs first after wait, with each server's own data device in its stdin and triggers", () => {
  expect(plan.steps.map((s) => s.name).slice(0, 3)).toEqual(["wait", "volume", "packages"]);
  const step = plan.steps[1];
  expect(step.facts).toEqual(["dataDevice"]);
  expect(step.stdin).toContain(`export HBNB_DATA_DEVICE='${hostFactToken("dataDevice")}'`);
  for (const name of NAMES) {
    const [command] = ofType("command:remote:Command", `${name}-volume`);
    expect(command.inputs.stdin).toBe(step.stdin.split(hostFactToken("dataDevice")).join(device(name)));
    expect(command.inputs.triggers).toEqual([...step.triggers, `192.0.2.${NAMES.indexOf(name) + 10}`, device(name)]);
    // Nothing secret in it: its output is logged.
    expect(command.inputs.logging).toBe("stdoutAndStderr");
  }
});

test("the device of a volume is its by-id link: the id without its dash as the NVMe serial", () => {
  expect(ebsDevice("vol-0123456789abcdef0")).toBe(
    "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0",
  );
});
