import type * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import type * as DeployModule from "../../components/deploy";
import { buildBundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan, carriesSecrets } from "../../core/plan";
import { parseSettings } from "../../core/settings";
import * as mocks from "./mocks";
import { ofType, options, valueOf } from "./mocks";

/**
 * The Pulumi driver's resources and options on one host (options are not shown to the mock
 * monitor: a transformation records them). pulumi-command's semantics are cited from its
 * provider source (github.com/pulumi/pulumi-command, fetched at 010bd8e0dd8a, Aug 2026).
 */
const privateKey = fs.readFileSync(path.join(__dirname, "..", "fixtures", "id_ed25519"), "utf8");
const settings = parseSettings({ target: "existing", hosts: '["192.0.2.10"]', sshUser: "deploy", privateKey });
const plan = buildPlan(settings, buildBundle(), loadServerFiles());
const reachability = { seconds: 120, causes: ["cause one", "cause two"] };

let deploy: DeployModule.HostDeploy;
let PROBE_COMMAND: string;
let FIRST_DIAL_ERROR_LIMIT: number;

beforeAll(async () => {
  await mocks.setupMocks();
  const module = await import("../../components/deploy");
  ({ PROBE_COMMAND, FIRST_DIAL_ERROR_LIMIT } = module);
  deploy = new module.HostDeploy(
    "web-1",
    {
      host: { name: "web-1", address: "192.0.2.10", user: "deploy", port: 2222 },
      plan,
      privateKey,
      secrets: { flaskSecretKey: "not-so-secret", apiToken: "not-so-secret-either" },
      reachability,
    },
    { transformations: [mocks.recordOptions] },
  );
  await valueOf(deploy.release);
});

const remote = () => ofType("command:remote:Command");
const optionsOf = (name: string) => options.find((o) => o.name === name)!.opts as pulumi.CustomResourceOptions;

test("a probe on this machine comes first: node's TCP client, the address, the port, its bound and causes", async () => {
  const [probe] = ofType("command:local:Command");
  expect(probe.name).toBe("web-1-reachable");
  expect(probe.inputs.create).toBe(PROBE_COMMAND);
  expect(probe.inputs.environment).toEqual({
    HBNB_PROBE_HOST: "192.0.2.10",
    HBNB_PROBE_PORT: "2222",
    HBNB_PROBE_SECONDS: "120",
    HBNB_PROBE_CAUSES: JSON.stringify(reachability.causes),
  });
  // A replaced machine is probed again.
  expect(probe.inputs.triggers).toEqual(["192.0.2.10"]);
  // Its own create timeout covers the bound: the probe, not Pulumi, says why it stopped.
  expect(optionsOf("web-1-reachable").customTimeouts).toEqual({ create: "180s", update: "180s" });
  // The first SSH step waits for it.
  const first = optionsOf(`web-1-${plan.steps[0].name}`);
  const dependsOn = await Promise.all((first.dependsOn as { urn: unknown }[]).map((d) => valueOf(d.urn as never)));
  expect(dependsOn.map((urn) => String(urn).split("::").pop())).toEqual(["web-1-reachable"]);
});

test("the first SSH step dials a bounded number of times, the others pulumi-command's default", () => {
  const limits = remote().map((c) => c.inputs.connection.value.dialErrorLimit);
  expect(limits).toEqual([FIRST_DIAL_ERROR_LIMIT, ...plan.steps.slice(1).map(() => 10)]);
  expect(FIRST_DIAL_ERROR_LIMIT).toBeGreaterThan(0);
});

// remote/command.go: addPreviousOutputInEnv defaults to true; remote/commandOutputs.go then calls
// session.Setenv for PULUMI_COMMAND_STDOUT and _STDERR and logs a warning when sshd refuses.
test("no step asks sshd to set PULUMI_COMMAND_* variables", () => {
  expect(remote().map((c) => c.inputs.addPreviousOutputInEnv)).toEqual(plan.steps.map(() => false));
});

// remote/command.go, `logging`: it "doesn't affect the capturing of stdout and stderr as outputs. If
// there might be secrets in the output, you can disable logging here and mark the outputs as
// secret via 'additionalSecretOutputs'" (the outputs are `stdout` and `stderr`, baseOutputs.go).
test("a step that carries secrets keeps its output out of the logs and encrypted in the state", () => {
  const secretSteps = plan.steps.filter(carriesSecrets).map((s) => s.name);
  expect(secretSteps.length).toBeGreaterThan(0);
  for (const step of plan.steps) {
    const command = remote().find((c) => c.name === `web-1-${step.name}`)!;
    const opts = optionsOf(command.name);
    if (secretSteps.includes(step.name)) {
      expect(command.inputs.logging).toBe("none");
      // The SDK adds `connection` to what it is given (@pulumi/command remote/command.js).
      expect(opts.additionalSecretOutputs).toEqual(["stdout", "stderr", "connection"]);
    } else {
      expect(command.inputs.logging).toBe("stdoutAndStderr");
      expect(opts.additionalSecretOutputs).toEqual(["connection"]);
    }
  }
});
