import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { buildBundle } from "../../components/bundle";
import { loadServerFiles } from "../../components/files";
import { buildPlan, carriesSecrets, secretToken, undoSteps } from "../../components/plan";
import { parseSettings, RawConfig } from "../../components/settings";
import type { RecordedResource } from "./mocks";

/**
 * The whole program (index.ts) under Pulumi's mocks, once per shipped stack file: the closest
 * thing to `pulumi preview` that runs without the Pulumi CLI. The keys a user sets with
 * `pulumi config set` (README) come from the test fixtures.
 */
const root = path.join(__dirname, "..", "..");
const fixtures = path.join(__dirname, "..", "fixtures");
const privateKey = fs.readFileSync(path.join(fixtures, "id_ed25519"), "utf8");
const publicKey = fs.readFileSync(path.join(fixtures, "id_ed25519.pub"), "utf8").trim();

interface Run {
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  error?: unknown;
}

/** Stack config as the CLI hands it to the program: every value a string, lists as JSON. */
function stackConfig(file: string): Record<string, string> {
  const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(doc.config ?? {}).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

async function runProgram(stack: string, config: Record<string, string>): Promise<Run> {
  let run: Run = { resources: [], outputs: {} };
  await jest.isolateModulesAsync(async () => {
    const pulumi = await import("@pulumi/pulumi");
    const mocks = await import("./mocks");
    pulumi.runtime.setAllConfig(config, ["hbnb-stack:privateKey"]);
    await mocks.setupMocks({ stack });
    try {
      const program = await import("../../index");
      const outputs: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(program)) outputs[key] = await mocks.valueOf(value as never);
      run = { resources: mocks.resources, outputs };
    } catch (error) {
      run = { resources: mocks.resources, outputs: {}, error };
    }
  });
  return run;
}

const rawOf = (config: Record<string, string>): RawConfig =>
  Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => key.startsWith("hbnb-stack:"))
      .map(([key, value]) => [key.slice("hbnb-stack:".length), value]),
  );

// How a secret value looks in mock inputs (see ../shared/notes/pulumi-here.md).
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

const stackFiles = fs.readdirSync(root).filter((name) => /^Pulumi\.[^.]+\.yaml$/.test(name));

test("there is a stack file to run", () => {
  expect(stackFiles).toContain("Pulumi.dev.yaml");
});

describe.each(stackFiles)("%s", (file) => {
  const stack = file.split(".")[1];
  const config = {
    ...stackConfig(path.join(root, file)),
    "hbnb-stack:publicKey": publicKey,
    "hbnb-stack:privateKey": privateKey,
  };
  const settings = parseSettings(rawOf(config));
  const plan = buildPlan(settings, buildBundle(), loadServerFiles());
  let run: Run;
  beforeAll(async () => {
    run = await runProgram(stack, config);
    expect(run.error).toBeUndefined();
  });
  const ofType = (type: string) => run.resources.filter((r) => r.type === type);

  test("creates the AWS resources of an AWS stack, and none otherwise", () => {
    const count = settings.target === "aws" ? settings.aws!.instanceCount : 0;
    expect(ofType("aws:ec2/instance:Instance")).toHaveLength(count);
    expect(ofType("aws:ec2/eip:Eip")).toHaveLength(count);
    expect(ofType("aws:ec2/keyPair:KeyPair")).toHaveLength(count ? 1 : 0);
    expect(ofType("aws:ec2/securityGroup:SecurityGroup")).toHaveLength(count ? 1 : 0);
    if (count) {
      const [instance] = ofType("aws:ec2/instance:Instance");
      expect(instance.inputs.metadataOptions.httpTokens).toBe("required");
      expect(instance.inputs.rootBlockDevice).toMatchObject({ encrypted: true, volumeType: "gp3" });
      expect(instance.inputs.instanceType).toBe(settings.aws!.instanceType);
    }
  });

  test("generates Flask's secret key, once for all hosts, and sends it only to the steps that need it", () => {
    const [key] = ofType("random:index/randomPassword:RandomPassword");
    expect(ofType("random:index/randomPassword:RandomPassword")).toHaveLength(1);
    expect(key.inputs).toMatchObject({ length: 64, special: false });
    const commands = ofType("command:remote:Command");
    for (const command of commands) {
      const step = plan.steps.find((s) => command.name.endsWith(`-${s.name}`))!;
      const stdin = command.inputs.stdin;
      if (carriesSecrets(step)) {
        // A secret: the command provider keeps it encrypted, and prints nothing of the step.
        expect(stdin[SECRET_SIG]).toBe(SECRET_VALUE);
        expect(stdin.value).toBe(step.stdin.split(secretToken("flaskSecretKey")).join(key.state.result));
        expect(command.inputs.logging).toBe("none");
      } else {
        expect(stdin).toBe(step.stdin);
        expect(stdin).not.toContain(key.state.result);
        expect(command.inputs.logging).toBe("stdoutAndStderr");
      }
    }
    expect(JSON.stringify(run.outputs)).not.toContain(key.state.result);
  });

  test("registers exactly the plan's steps on each host, in order, with their triggers", () => {
    const commands = ofType("command:remote:Command");
    const hostCount = settings.target === "aws" ? settings.aws!.instanceCount : settings.hosts!.length;
    expect(commands).toHaveLength(plan.steps.length * hostCount);
    const first = commands.slice(0, plan.steps.length);
    expect(first.map((c) => c.name)).toEqual(plan.steps.map((s) => `${first[0].name.split("-wait")[0]}-${s.name}`));
    first.forEach((command, i) => {
      const step = plan.steps[i];
      expect(command.inputs.create).toBe(step.command);
      if (!carriesSecrets(step)) expect(command.inputs.stdin).toBe(step.stdin);
      // The step's own triggers, the machine's identity, then its secrets: then all are secret.
      const triggers = step.secrets.length ? command.inputs.triggers.value : command.inputs.triggers;
      if (step.secrets.length) expect(command.inputs.triggers[SECRET_SIG]).toBe(SECRET_VALUE);
      expect(triggers.slice(0, step.triggers.length)).toEqual(step.triggers);
      expect(triggers).toHaveLength(step.triggers.length + 1 + step.secrets.length);
    });
    const uploads = ofType("command:remote:CopyToRemote");
    expect(uploads).toHaveLength(hostCount);
    expect(uploads[0].inputs.remotePath).toBe(`/tmp/hbnb-stack-${plan.release}.tar.gz`);
  });

  test("connects as the configured user with the private key, kept secret", () => {
    const [command] = ofType("command:remote:Command");
    const connection = command.inputs.connection;
    // The command provider wraps the connection in a secret (see ../shared/notes/pulumi-here.md).
    const value = "value" in connection ? connection.value : connection;
    expect(value.user).toBe(settings.target === "aws" ? "ubuntu" : settings.ssh.user);
    expect(value.port).toBe(settings.ssh.port);
    expect(value.privateKey).toBe(privateKey);
    expect(value.dialErrorLimit).toBe(-1);
  });

  test("outputs the address, the URL, the SSH command and the release", () => {
    const ip = run.outputs.publicIp as string;
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(run.outputs.url).toBe(`http://${ip}/`);
    expect(run.outputs.sshCommand).toBe(`ssh -i ~/.ssh/hbnb -p ${settings.ssh.port} ${settings.ssh.user}@${ip}`);
    expect(run.outputs.release).toBe(plan.release);
    expect(JSON.stringify(run.outputs)).not.toContain(privateKey.split("\n")[1]);
  });
});

describe("servers of your own (target existing)", () => {
  const config = {
    "hbnb-stack:target": "existing",
    "hbnb-stack:hosts": '["192.0.2.10", "192.0.2.11"]',
    "hbnb-stack:sshUser": "deploy",
    "hbnb-stack:privateKey": privateKey,
  };
  let run: Run;
  beforeAll(async () => {
    run = await runProgram("own", config);
  });

  test("creates no AWS resource and runs the plan on each server", () => {
    expect(run.error).toBeUndefined();
    expect(run.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
    const waits = run.resources.filter((r) => r.type === "command:remote:Command" && r.name.endsWith("-wait"));
    expect(waits.map((c) => c.inputs.connection.value?.host ?? c.inputs.connection.host)).toEqual([
      "192.0.2.10",
      "192.0.2.11",
    ]);
    expect(run.outputs.publicIps).toEqual(["192.0.2.10", "192.0.2.11"]);
    expect(run.outputs.urls).toEqual(["http://192.0.2.10/", "http://192.0.2.11/"]);
  });

  test("gives each server the undos `pulumi destroy` runs there, in Commands of their own", () => {
    const plan = buildPlan(parseSettings(rawOf(config)), buildBundle(), loadServerFiles());
    const undos = undoSteps(plan).reverse();
    // Per server, in plan order (the two servers' resources register interleaved).
    const undoCommands = (host: string) =>
      run.resources.filter(
        (r) => r.type === "command:remote:Command" && r.name.startsWith(`${host}-`) && r.name.endsWith("-undo"),
      );
    for (const [host, address] of [
      ["server-1", "192.0.2.10"],
      ["server-2", "192.0.2.11"],
    ]) {
      const commands = undoCommands(host);
      expect(commands.map((c) => c.name)).toEqual(undos.map((u) => `${host}-${u.name.replace(/^undo-/, "")}-undo`));
      expect(commands.map((c) => c.inputs.delete)).toEqual(undos.map((u) => u.command));
      expect(commands.map((c) => c.inputs.triggers)).toEqual(undos.map(() => [address]));
    }
  });
});

describe("bad config", () => {
  test("fails before any resource is created, naming the key, the value and the fix", async () => {
    const run = await runProgram("bad", {
      "hbnb-stack:adminCidrs": '["0.0.0.0/0"]',
      "hbnb-stack:publicKey": publicKey,
      "hbnb-stack:privateKey": privateKey,
      "hbnb-stack:workers": "100",
    });
    expect(String(run.error)).toMatch(/hbnb-stack:adminCidrs = "0.0.0.0\/0": opens SSH to the whole internet/);
    expect(String(run.error)).toMatch(/hbnb-stack:workers = "100": expected an integer from 1 to 64/);
    expect(run.resources).toEqual([]);
  });
});
