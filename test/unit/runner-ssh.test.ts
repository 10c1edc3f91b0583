import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import type { RecordedResource } from "./mocks";

/**
 * .github/scripts/runner-ssh.sh, which opens SSH to the GitHub runner for the `up` on main and
 * closes it afterwards, run for real (bash, jq) against stand-ins for the Pulumi CLI, the AWS CLI
 * and checkip.amazonaws.com, none of which can run or be reached here. The stand-ins
 * (test/fixtures/ci/) restate each tool's behaviour from its source or API reference.
 */
const root = path.join(__dirname, "..", "..");
const script = path.join(root, ".github", "scripts", "runner-ssh.sh");
const fakes = path.join(root, "test", "fixtures", "ci");

const ADMIN = "203.0.113.7/32";
const RUNNER_IP = "198.51.100.23";
const RUNNER = `${RUNNER_IP}/32`;
const REGION = "eu-west-3";
const RULE_URN = (cidr: string) =>
  `urn:pulumi:dev::hbnb-stack::hbnb-stack:aws:Hosts$aws:ec2/securityGroup:SecurityGroup$aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::hbnb-stack-dev-sg-ssh-v4-${cidr.replace(/[^0-9a-zA-Z]/g, "-")}`;

interface World {
  config: Record<string, unknown>;
  rules: Record<string, unknown>[];
  state: { deployment: { resources: Record<string, unknown>[] } };
}

const tags = (stack: string) => [
  { Key: "Project", Value: "hbnb-stack" },
  { Key: "hbnb-stack:stack", Value: stack },
];
const sshRule = (id: string, cidr: string, stack = "dev", region = REGION) => ({
  SecurityGroupRuleId: id,
  GroupId: stack === "dev" ? "sg-0dev" : "sg-0other",
  IsEgress: false,
  IpProtocol: "tcp",
  FromPort: 22,
  ToPort: 22,
  CidrIpv4: cidr,
  Tags: tags(stack),
  region,
});
const stateOf = (id: string, cidr: string) => ({
  urn: RULE_URN(cidr),
  type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  id,
  outputs: { id, cidrIpv4: cidr, fromPort: 22, toPort: 22, securityGroupId: "sg-0dev" },
});

/** After an `up` that opened SSH to the runner: its rule in AWS and in the state. */
const afterUp = (): World => ({
  config: { "aws:region": REGION, "hbnb-stack:adminCidrs": [ADMIN, RUNNER] },
  rules: [
    sshRule("sgr-0admin", ADMIN),
    sshRule("sgr-0runner", RUNNER),
    // The same address in another stack's group, and in this stack's name in another region:
    // neither is this run's to close.
    sshRule("sgr-0prod", RUNNER, "prod"),
    sshRule("sgr-0elsewhere", RUNNER, "dev", "us-east-1"),
  ],
  state: { deployment: { resources: [stateOf("sgr-0admin", ADMIN), stateOf("sgr-0runner", RUNNER)] } },
});

interface Result {
  code: number | null;
  out: string;
  err: string;
  calls: string[];
  output: string;
  world: World;
}

function run(args: string[], world: World, env: Record<string, string> = {}): Result {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-ssh-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  for (const tool of ["aws", "pulumi", "curl"]) fs.copyFileSync(path.join(fakes, tool), path.join(bin, tool));
  for (const tool of ["aws", "pulumi", "curl"]) fs.chmodSync(path.join(bin, tool), 0o755);
  // The stand-in pulumi reads the config without the project prefix of adminCidrs, as the CLI's
  // `config get adminCidrs` does.
  const config = Object.fromEntries(Object.entries(world.config).map(([k, v]) => [k.replace("hbnb-stack:", ""), v]));
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
  fs.writeFileSync(path.join(dir, "rules.json"), JSON.stringify(world.rules));
  fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(world.state));
  fs.writeFileSync(path.join(dir, "calls"), "");
  const output = path.join(dir, "github-output");
  fs.writeFileSync(output, "");
  const result = spawnSync("bash", [script, ...args], {
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: dir,
      FAKE_DIR: dir,
      FAKE_CHECKIP_ANSWER: RUNNER_IP,
      GITHUB_OUTPUT: output,
      ...env,
    },
  });
  const read = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
  const after: World = {
    config: Object.fromEntries(
      Object.entries(read("config.json") as Record<string, unknown>).map(([k, v]) => [
        k.includes(":") ? k : `hbnb-stack:${k}`,
        v,
      ]),
    ),
    rules: read("rules.json"),
    state: read("state.json"),
  };
  const calls = fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n").filter(Boolean);
  const res = {
    code: result.status,
    out: result.stdout,
    err: result.stderr,
    calls,
    output: fs.readFileSync(output, "utf8"),
    world: after,
  };
  fs.rmSync(dir, { recursive: true });
  return res;
}

const beforeUp = (adminCidrs?: string[]): World => ({
  config: { "aws:region": REGION, ...(adminCidrs ? { "hbnb-stack:adminCidrs": adminCidrs } : {}) },
  rules: [sshRule("sgr-0admin", ADMIN)],
  state: { deployment: { resources: [stateOf("sgr-0admin", ADMIN)] } },
});

describe("open", () => {
  test("appends the runner's address to adminCidrs and hands it to the close step", () => {
    const r = run(["open", "dev"], beforeUp([ADMIN]));
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toBe(`changed: adminCidrs[1] = ${RUNNER} in this checkout's Pulumi.dev.yaml (this run only)\n`);
    expect(r.world.config["hbnb-stack:adminCidrs"]).toEqual([ADMIN, RUNNER]);
    expect(r.output).toBe(`cidr=${RUNNER}\n`);
    expect(r.calls).toEqual([
      "curl --fail --silent --show-error --max-time 20 --retry 3 https://checkip.amazonaws.com",
      "pulumi config get adminCidrs --json --stack dev",
      `pulumi config set --stack dev --path adminCidrs[1] ${RUNNER}`,
    ]);
    // Opening is Pulumi's job (the up creates the rule): AWS is not called.
    expect(r.world.rules).toEqual(beforeUp().rules);
  });

  test("a stack without adminCidrs gets the runner's address as its first entry", () => {
    const r = run(["open", "dev"], beforeUp());
    expect(r.code).toBe(0);
    expect(r.world.config["hbnb-stack:adminCidrs"]).toEqual([RUNNER]);
    expect(r.output).toBe(`cidr=${RUNNER}\n`);
  });

  test("an address that is already an admin's is left alone and never closed", () => {
    const r = run(["open", "dev"], beforeUp([RUNNER, ADMIN]));
    expect(r.code).toBe(0);
    expect(r.out).toBe(`unchanged: ${RUNNER} is already in adminCidrs; nothing to close after the up\n`);
    expect(r.world.config["hbnb-stack:adminCidrs"]).toEqual([RUNNER, ADMIN]);
    expect(r.output).toBe("cidr=\n");
    expect(r.calls.filter((c) => c.startsWith("pulumi config set"))).toEqual([]);
  });

  test("a config that cannot be read stops before anything is set (index 0 would replace an admin)", () => {
    const r = run(["open", "dev"], beforeUp([ADMIN]), {
      FAKE_PULUMI_CONFIG_ERROR: "PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions",
    });
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "runner-ssh: cannot read adminCidrs of stack dev: error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions\n",
    );
    expect(r.world.config["hbnb-stack:adminCidrs"]).toEqual([ADMIN]);
    expect(r.output).toBe("");
  });

  test.each([["<html>blocked</html>"], ["2001:db8::7"], ["198.51.100.256"], [""]])(
    "an answer that is no IPv4 address (%j) opens nothing",
    (answer) => {
      const r = run(["open", "dev"], beforeUp([ADMIN]), { FAKE_CHECKIP_ANSWER: answer });
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        `runner-ssh: checkip.amazonaws.com answered '${answer}', not an IPv4 address; SSH stays closed\n`,
      );
      expect(r.world.config["hbnb-stack:adminCidrs"]).toEqual([ADMIN]);
      expect(r.calls.filter((c) => c.startsWith("pulumi"))).toEqual([]);
    },
  );
});

describe("close", () => {
  test("revokes the runner's rule of this stack in its region, then drops it from the state", () => {
    const r = run(["close", "dev", RUNNER], afterUp());
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        `changed: revoked sgr-0runner (SSH from ${RUNNER}) in sg-0dev`,
        `changed: ${RULE_URN(RUNNER)} refreshed out of the state`,
        "",
      ].join("\n"),
    );
    expect(r.world.rules.map((rule) => rule.SecurityGroupRuleId)).toEqual([
      "sgr-0admin",
      "sgr-0prod",
      "sgr-0elsewhere",
    ]);
    expect(r.world.state.deployment.resources.map((res) => res.id)).toEqual(["sgr-0admin"]);
    expect(r.calls).toContain(
      `aws ec2 describe-security-group-rules --region ${REGION} --filters Name=tag:Project,Values=hbnb-stack Name=tag:hbnb-stack:stack,Values=dev --output json`,
    );
  });

  test("a revoked rule stays revoked when the state cannot be refreshed (the next up's refresh does it)", () => {
    const r = run(["close", "dev", RUNNER], afterUp(), { FAKE_PULUMI_REFRESH_ERROR: "the stack is locked" });
    expect(r.code).toBe(0);
    expect(r.out).toContain(`changed: revoked sgr-0runner (SSH from ${RUNNER}) in sg-0dev\n`);
    expect(r.out).toContain(
      `::warning::${RULE_URN(RUNNER)} stays in the state until the next up (its --refresh drops it); the rule itself is revoked\n`,
    );
    expect(r.world.rules.map((rule) => rule.SecurityGroupRuleId)).toEqual([
      "sgr-0admin",
      "sgr-0prod",
      "sgr-0elsewhere",
    ]);
    expect(r.world.state.deployment.resources.map((res) => res.id)).toEqual(["sgr-0admin", "sgr-0runner"]);
  });

  test("an up that never created the rule leaves nothing to revoke", () => {
    const world = beforeUp([ADMIN, RUNNER]);
    const r = run(["close", "dev", RUNNER], world);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`unchanged: no rule for ${RUNNER} in AWS (the up did not get to create it)\n`);
    expect(r.world.rules).toEqual(world.rules);
    expect(r.calls.filter((c) => c.startsWith("pulumi refresh"))).toEqual([]);
  });

  test("nothing opened, nothing closed", () => {
    const r = run(["close", "dev", ""], afterUp());
    expect(r.code).toBe(0);
    expect(r.out).toBe("unchanged: no SSH rule was opened for this runner\n");
    expect(r.calls).toEqual([]);
  });

  test("AWS refusing the lookup fails the step loudly: the rule may still be open", () => {
    const r = run(["close", "dev", RUNNER], afterUp(), { FAKE_AWS_ERROR: "ExpiredToken" });
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      `::error::could not list the stack's security group rules: SSH from ${RUNNER} may still be open; revoke it by hand\n`,
    );
    expect(r.world.rules.map((rule) => rule.SecurityGroupRuleId)).toContain("sgr-0runner");
  });

  test("wrong arguments are refused with the usage", () => {
    const r = run(["close", "dev"], afterUp());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^usage: .*runner-ssh.sh open STACK \| close STACK CIDR\n$/);
  });
});

describe("the up between them", () => {
  // The dev stack as the open step leaves it in the runner's checkout: its adminCidrs, then the
  // runner's address; the keys a user sets with `pulumi config set` come from the fixtures.
  const fixtures = path.join(root, "test", "fixtures");
  const stackFile = parseYaml(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  const admins = stackFile.config["hbnb-stack:adminCidrs"] as string[];
  const config: Record<string, string> = {
    ...Object.fromEntries(
      Object.entries(stackFile.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ),
    "hbnb-stack:adminCidrs": JSON.stringify([...admins, RUNNER]),
    "hbnb-stack:publicKey": fs.readFileSync(path.join(fixtures, "id_ed25519.pub"), "utf8").trim(),
    "hbnb-stack:privateKey": fs.readFileSync(path.join(fixtures, "id_ed25519"), "utf8"),
  };
  let rules: RecordedResource[] = [];
  beforeAll(async () => {
    await jest.isolateModulesAsync(async () => {
      const pulumi = await import("@pulumi/pulumi");
      const mocks = await import("./mocks");
      pulumi.runtime.setAllConfig(config, ["hbnb-stack:privateKey"]);
      await mocks.setupMocks({ stack: "dev" });
      const program = await import("../../index");
      await mocks.valueOf(program.release);
      rules = mocks.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    });
  });

  test("creates the runner's SSH rule with the tags the close step finds it by", () => {
    const runner = rules.filter((r) => r.inputs.cidrIpv4 === RUNNER);
    expect(runner).toHaveLength(1);
    expect(runner[0].inputs).toMatchObject({ ipProtocol: "tcp", fromPort: 22, toPort: 22 });
    // The filters of runner-ssh.sh: tag:Project=hbnb-stack and tag:hbnb-stack:stack=<stack>.
    expect(runner[0].inputs.tags).toMatchObject({ Project: "hbnb-stack", "hbnb-stack:stack": "dev" });
    // The admins keep theirs: closing the runner's touches no other rule.
    expect(rules.filter((r) => admins.includes(r.inputs.cidrIpv4)).map((r) => r.inputs.cidrIpv4)).toEqual(admins);
  });
});
