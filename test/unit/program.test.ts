import * as fs from "fs";
import * as path from "path";
import { buildBundle } from "../../core/bundle";
import { FIRST_DIAL_ERROR_LIMIT, PROBE_COMMAND } from "../../components/deploy";
import { loadServerFiles } from "../../core/files";
import { buildPlan, carriesSecrets, ebsDevice, hostFactToken, secretToken, Step, undoSteps } from "../../core/plan";
import { parseSettings, RawConfig, Settings } from "../../core/settings";
import { CliError, loadProject, loadStackConfig, programConfig } from "../../local/pulumi-cli-config";
import { Machine, runRecipe, shellBlocks, StackState } from "./readme-recipes";
import { Run, runProgram } from "./run-program";

/**
 * The whole program (index.ts) under Pulumi's mocks, with the config the Pulumi CLI would hand
 * it (local/pulumi-cli-config.ts): for every shipped stack file, with the lines its comments say to
 * run, and for every README recipe, typed as a user types it. The closest thing to
 * `pulumi preview` that runs without the Pulumi CLI.
 */
const root = path.join(__dirname, "..", "..");
const fixtures = path.join(__dirname, "..", "fixtures");
const privateKey = fs.readFileSync(path.join(fixtures, "id_ed25519"), "utf8");
const publicKey = fs.readFileSync(path.join(fixtures, "id_ed25519.pub"), "utf8").trim();
const project = loadProject(path.join(root, "Pulumi.yaml"));
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
// The user's machine: their address (a documentation address, RFC 5737) and their key pair.
const MY_ADDRESS = "203.0.113.7";
const machine: Machine = {
  substitutions: { "curl -s https://checkip.amazonaws.com": MY_ADDRESS, "cat ~/.ssh/hbnb.pub": publicKey },
  files: { "~/.ssh/hbnb": privateKey },
};

const rawOf = (config: Record<string, string>): RawConfig =>
  Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => key.startsWith("hbnb-stack:"))
      .map(([key, value]) => [key.slice("hbnb-stack:".length), value]),
  );

// How a secret value looks in mock inputs: @pulumi/pulumi runtime/rpc.ts, specialSigKey and specialSecretSig.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";
const unwrap = (value: any) => (value && value[SECRET_SIG] === SECRET_VALUE ? value.value : value);

// Pulumi.local.yaml is a user's own settings for `npm start` (ignored by git), not a shipped stack.
const stackFiles = fs
  .readdirSync(root)
  .filter((name) => /^Pulumi\.[^.]+\.yaml$/.test(name) && name !== "Pulumi.local.yaml");
const stackOf = (file: string): StackState => ({
  name: file.split(".")[1],
  config: loadStackConfig(path.join(root, file)),
});
/** The `pulumi config set` lines a stack file's comments tell the user to run. */
const commentedLines = (file: string): string =>
  fs
    .readFileSync(path.join(root, file), "utf8")
    .split("\n")
    .filter((line) => /^#\s+pulumi config set /.test(line))
    .map((line) => line.replace(/^#\s+/, ""))
    .join("\n");

const awsRecipe = shellBlocks(readme, "Run it on AWS");
const ownRecipe = shellBlocks(readme, "Servers you already have");
const variants = awsRecipe[1].split("\n").filter((line) => line.startsWith("pulumi config set"));

interface Case {
  name: string;
  stack: StackState;
  /** What the case must end up as, beyond what every run must do. */
  expect: (settings: Settings, run: Run) => void;
}

const cases: Case[] = [
  ...stackFiles.map((file) => ({
    name: `${file}, with the lines its comments say to run`,
    stack: runRecipe(commentedLines(file), project, root, machine, stackOf(file)),
    expect: () => undefined,
  })),
  {
    name: 'README "Run it on AWS"',
    stack: runRecipe(awsRecipe[0], project, root, machine),
    expect: (settings) => {
      expect(settings.target).toBe("aws");
      expect(settings.aws!.adminCidrs).toEqual([`${MY_ADDRESS}/32`]);
      expect(settings.aws!.publicKey).toBe(publicKey);
    },
  },
  ...variants.map((line) => ({
    name: `README "Run it on AWS", then ${line.split("#")[0].trim()}`,
    stack: runRecipe(`${awsRecipe[0]}\n${line}`, project, root, machine),
    expect: (settings: Settings, run: Run) => {
      if (line.includes("sshPort")) {
        expect(settings.ssh.port).toBe(2222);
        const ssh = run.resources.filter((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        expect(ssh.filter((r) => r.inputs.cidrIpv4 === `${MY_ADDRESS}/32`).map((r) => r.inputs.fromPort)).toEqual([
          2222,
        ]);
      } else {
        expect(settings.aws!.instanceType).toBe("t4g.small");
        const [ami] = run.invokes.filter((i) => i.token === "aws:ec2/getAmi:getAmi");
        expect(ami.args.filters[0].values[0]).toMatch(/-arm64-server-/);
      }
    },
  })),
  {
    name: 'README "Servers you already have"',
    stack: runRecipe(ownRecipe[0], project, root, machine),
    expect: (settings, run) => {
      expect(settings.target).toBe("existing");
      expect(settings.hosts).toEqual(["192.0.2.10"]);
      expect(settings.ssh.user).toBe("deploy");
      expect(run.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
      expect(run.outputs.urls).toEqual(["http://192.0.2.10/"]);
    },
  },
];

test("the README has the recipes and the variants this file runs", () => {
  expect(stackFiles).toContain("Pulumi.dev.yaml");
  expect(variants).toHaveLength(2);
  expect(ownRecipe).toHaveLength(1);
});

describe.each(cases)("$name", ({ stack, expect: expectMore }) => {
  const cli = programConfig(project, stack.name, stack.config);
  const settings = parseSettings(rawOf(cli.config));
  const plan = buildPlan(settings, buildBundle(), loadServerFiles());
  const hostCount = settings.target === "aws" ? settings.aws!.instanceCount : settings.hosts!.length;
  let run: Run;
  beforeAll(async () => {
    run = await runProgram(stack.name, cli);
    expect(run.error).toBeUndefined();
  });
  const ofType = (type: string) => run.resources.filter((r) => r.type === type);
  // The plan's steps; the undo Commands (servers of your own) are tested on their own below.
  const stepCommands = () => ofType("command:remote:Command").filter((c) => !c.name.endsWith("-undo"));
  // A step's stdin with its host's facts in: on AWS, the device of the host's own data volume
  // (the mocks give a resource the id <name>_id).
  const withFacts = (step: Step, commandName: string) => {
    if (!step.facts) return step.stdin;
    const host = commandName.slice(0, -`-${step.name}`.length);
    const device = ebsDevice(`hbnb-stack-${stack.name}-${host}-data_id`);
    return step.stdin.split(hostFactToken("dataDevice")).join(device);
  };

  test("the CLI hands the program every key of Pulumi.yaml, the private key as a secret", () => {
    expect(Object.keys(cli.config).filter((key) => key.startsWith("hbnb-stack:"))).toHaveLength(
      Object.keys(project.config).length,
    );
    expect(cli.secretKeys).toEqual(["hbnb-stack:privateKey"]);
    expect(settings.ssh.privateKey).toBe(privateKey);
  });

  test("what this stack is about", () => {
    expectMore(settings, run);
  });

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
      expect(ofType("aws:ec2/keyPair:KeyPair")[0].inputs.publicKey).toBe(publicKey);
    }
  });

  test("generates Flask's secret key and the API token, once for all hosts, and sends them only to the steps that need them", () => {
    const passwords = ofType("random:index/randomPassword:RandomPassword");
    expect(passwords.map((p) => [p.name, p.inputs])).toEqual([
      ["flask-secret-key", expect.objectContaining({ length: 64, special: false })],
      ["api-token", expect.objectContaining({ length: 48, special: false })],
    ]);
    const [key, token] = passwords.map((p) => p.state.result as string);
    for (const command of stepCommands()) {
      const step = plan.steps.find((s) => command.name.endsWith(`-${s.name}`))!;
      const stdin = command.inputs.stdin;
      if (carriesSecrets(step)) {
        // A secret: the command provider keeps it encrypted, and prints nothing of the step.
        expect(stdin[SECRET_SIG]).toBe(SECRET_VALUE);
        const filled = step.stdin
          .split(secretToken("flaskSecretKey"))
          .join(key)
          .split(secretToken("apiToken"))
          .join(token);
        expect(stdin.value).toBe(filled);
        expect(command.inputs.logging).toBe("none");
      } else {
        expect(stdin).toBe(withFacts(step, command.name));
        expect([stdin.includes(key), stdin.includes(token)]).toEqual([false, false]);
        expect(command.inputs.logging).toBe("stdoutAndStderr");
      }
    }
    // The token is an output for the people who write, as a secret; the key is in none.
    expect(JSON.stringify({ ...run.outputs, apiToken: undefined })).not.toMatch(new RegExp(`${key}|${token}`));
    expect(run.outputs.apiToken).toBe(token);
  });

  test("registers a reachability probe, then exactly the plan's steps on each host, in order", () => {
    const probes = ofType("command:local:Command");
    expect(probes).toHaveLength(hostCount);
    expect(probes[0].inputs.create).toBe(PROBE_COMMAND);
    expect(probes[0].inputs.environment.HBNB_PROBE_PORT).toBe(String(settings.ssh.port));
    expect(probes[0].inputs.environment.HBNB_PROBE_SECONDS).toBe(settings.target === "aws" ? "600" : "120");
    const commands = stepCommands();
    expect(commands).toHaveLength(plan.steps.length * hostCount);
    const first = commands.slice(0, plan.steps.length);
    expect(first.map((c) => c.name)).toEqual(plan.steps.map((s) => `${first[0].name.split("-wait")[0]}-${s.name}`));
    first.forEach((command, i) => {
      const step = plan.steps[i];
      expect(command.inputs.create).toBe(step.command);
      expect(command.inputs.addPreviousOutputInEnv).toBe(false);
      if (!carriesSecrets(step)) expect(command.inputs.stdin).toBe(withFacts(step, command.name));
      // The step's own triggers, the machine's identity, then its secrets: then all are secret.
      const triggers = step.secrets.length ? command.inputs.triggers.value : command.inputs.triggers;
      if (step.secrets.length) expect(command.inputs.triggers[SECRET_SIG]).toBe(SECRET_VALUE);
      expect(triggers.slice(0, step.triggers.length)).toEqual(step.triggers);
      expect(triggers).toHaveLength(step.triggers.length + 1 + (step.facts?.length ?? 0) + step.secrets.length);
    });
    const uploads = ofType("command:remote:CopyToRemote");
    expect(uploads).toHaveLength(hostCount);
    expect(uploads[0].inputs.remotePath).toBe(`/tmp/hbnb-stack-${plan.release}.tar.gz`);
  });

  test("every step connects as sshUser on sshPort with the private key, kept secret", () => {
    const commands = [...stepCommands(), ...ofType("command:remote:CopyToRemote")];
    for (const command of commands) {
      expect(command.inputs.connection[SECRET_SIG]).toBe(SECRET_VALUE);
      const value = unwrap(command.inputs.connection);
      expect(value.user).toBe(settings.ssh.user);
      expect(value.port).toBe(settings.ssh.port);
      expect(value.privateKey).toBe(privateKey);
    }
    const limits = stepCommands().map((c) => unwrap(c.inputs.connection).dialErrorLimit);
    expect(limits).toEqual(
      Array.from({ length: hostCount }, () => [FIRST_DIAL_ERROR_LIMIT, ...plan.steps.slice(1).map(() => 10)]).flat(),
    );
  });

  test("on servers of your own, gives each the undos `pulumi destroy` runs there, in Commands of their own; on AWS none", () => {
    const undoCommands = ofType("command:remote:Command").filter((c) => c.name.endsWith("-undo"));
    if (settings.target === "aws") {
      expect(undoCommands).toEqual([]);
      return;
    }
    const undos = undoSteps(plan).reverse();
    settings.hosts!.forEach((address, i) => {
      const host = `server-${i + 1}`;
      const commands = undoCommands.filter((c) => c.name.startsWith(`${host}-`));
      expect(commands.map((c) => c.name)).toEqual(undos.map((u) => `${host}-${u.name.replace(/^undo-/, "")}-undo`));
      expect(commands.map((c) => c.inputs.delete)).toEqual(undos.map((u) => u.command));
      expect(commands.map((c) => c.inputs.triggers)).toEqual(undos.map(() => [address]));
    });
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

describe("what the CLI stops before the program runs", () => {
  test.each(stackFiles)("%s alone: the CLI asks for the private key, by name", (file) => {
    const { name, config } = stackOf(file);
    expect(() => programConfig(project, name, config)).toThrow(
      new CliError(`Stack '${name}' is missing configuration value 'hbnb-stack:privateKey'`),
    );
  });

  test("a private key set without --secret", () => {
    const stack = runRecipe(
      awsRecipe[0].replace("--secret privateKey", "privateKey --plaintext"),
      project,
      root,
      machine,
    );
    expect(() => programConfig(project, stack.name, stack.config)).toThrow(
      new CliError("Stack 'dev' with configuration key 'hbnb-stack:privateKey' must be encrypted as it's secret"),
    );
  });
});

describe("bad config", () => {
  const own = runRecipe(ownRecipe[0], project, root, machine);

  test.each<[string, string, RegExp]>([
    [
      "an AWS setting on servers of your own",
      "pulumi config set instanceType t3.small",
      /^hbnb-stack:instanceType = "t3.small": only applies to target aws, but target is existing; remove it \(pulumi config rm instanceType\), or set target to aws$/,
    ],
    [
      "too many workers",
      "pulumi config set workers 100",
      /^hbnb-stack:workers = "100": expected an integer from 1 to 64$/,
    ],
  ])("%s: fails before any resource is created, naming the key, the value and the fix", async (_, line, message) => {
    const stack = runRecipe(line, project, root, machine, own);
    const run = await runProgram(stack.name, programConfig(project, stack.name, stack.config));
    expect(run.error).toBeDefined();
    expect((run.error as { problems: string[] }).problems).toHaveLength(1);
    expect((run.error as { problems: string[] }).problems[0]).toMatch(message);
    expect(run.resources).toEqual([]);
  });
});
