import * as fs from "fs";
import * as path from "path";
import { buildBundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { leaveStep, rejoinStep } from "../../core/alb-drain";
import { buildPlan, carriesSecrets, secretNames, secretToken } from "../../core/plan";
import { rdsUrl } from "../../core/rds";
import { parseSettings } from "../../core/settings";
import { loadProject, programConfig } from "../../local/pulumi-cli-config";
import { POLICIES } from "../../policy/rules";
import type { ResourceValidationArgs } from "@pulumi/policy";
import { Machine, runRecipe, shellBlocks } from "./readme-recipes";
import { Run, runProgram } from "./run-program";

/**
 * The whole program under Pulumi's mocks with the README's "Many servers on AWS" recipe after its
 * "Run it on AWS" one: three servers behind the load balancer (its DNS name the url), one RDS
 * MariaDB, private and encrypted, reachable from the servers' group only, whose endpoint and
 * password reach the secrets step alone, as secrets.
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
const awsRecipe = shellBlocks(readme, "Run it on AWS")[0];
const manyRecipe = shellBlocks(readme, "Many servers on AWS");
const stack = runRecipe([awsRecipe, ...manyRecipe].join("\n"), project, root, machine);
const cli = programConfig(project, stack.name, stack.config);
const rawOf = (config: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => key.startsWith("hbnb-stack:"))
      .map(([key, value]) => [key.slice("hbnb-stack:".length), value]),
  );
const settings = parseSettings(rawOf(cli.config));
const files = loadServerFiles();
const plan = buildPlan(settings, buildBundle(), files);

// How a secret value looks in mock inputs: @pulumi/pulumi runtime/rpc.ts, specialSigKey and specialSecretSig.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

let run: Run;
beforeAll(async () => {
  run = await runProgram(stack.name, cli);
  expect(run.error).toBeUndefined();
});
const ofType = (type: string) => run.resources.filter((r) => r.type === type);
const NAME = `hbnb-stack-${stack.name}`;

test("the recipe: three servers, database rds, behind a load balancer", () => {
  expect(manyRecipe).toHaveLength(1);
  expect(settings.aws).toMatchObject({ instanceCount: 3, loadBalancer: true, databaseDeletionProtection: true });
  expect(settings.app.database).toBe("rds");
  expect(secretNames(settings)).toEqual(["flaskSecretKey", "apiToken", "databasePassword", "databaseHost"]);
  expect(ofType("aws:ec2/instance:Instance")).toHaveLength(3);
  expect(ofType("aws:ebs/volume:Volume")).toHaveLength(3);
});

test("the url is the load balancer's DNS name; the servers' own addresses stay outputs for SSH", () => {
  const [alb] = ofType("aws:lb/loadBalancer:LoadBalancer");
  expect(run.outputs.url).toBe(`http://${alb.state.dnsName}/`);
  expect(run.outputs.urls).toHaveLength(3);
});

test("one RDS MariaDB: encrypted, private, backed up, protected from deletion, a final snapshot at destroy", () => {
  const [db] = ofType("aws:rds/instance:Instance");
  const password = run.resources.find((r) => r.name === "database-password")!.state.result;
  expect(db.name).toBe(`${NAME}-db`);
  expect(db.inputs).toMatchObject({
    engine: "mariadb",
    engineVersion: "10.11",
    instanceClass: "db.t4g.micro",
    storageEncrypted: true,
    publiclyAccessible: false,
    backupRetentionPeriod: 7,
    deletionProtection: true,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: `${NAME}-db-final`,
    dbName: "hbnb",
    username: "hbnb",
    port: 3306,
    vpcSecurityGroupIds: [`${NAME}-db-sg_id`],
  });
  // The password is the stack's RandomPassword, kept secret in RDS's inputs too.
  expect(db.inputs.password).toEqual({ [SECRET_SIG]: SECRET_VALUE, value: password });
  const [subnets] = ofType("aws:rds/subnetGroup:SubnetGroup");
  expect(subnets.inputs.subnetIds).toEqual(["subnet-0aaa", "subnet-0bbb", "subnet-0ccc"]);
  expect(db.inputs.dbSubnetGroupName).toBe(subnets.state.name);
});

test("the database takes 3306 from the servers' security group only", () => {
  const rules = ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
    (r) => r.inputs.securityGroupId === `${NAME}-db-sg_id`,
  );
  expect(rules.map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.referencedSecurityGroupId])).toEqual([
    [3306, 3306, `${NAME}-sg_id`],
  ]);
  expect(
    ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter(
      (r) => r.inputs.securityGroupId === `${NAME}-db-sg_id`,
    ),
  ).toEqual([]);
});

test("the endpoint and the password reach the secrets step only, as a secret, unlogged, in the app's URL", () => {
  const password = run.resources.find((r) => r.name === "database-password")!.state.result as string;
  const [db] = ofType("aws:rds/instance:Instance");
  const host = db.state.address as string;
  const commands = ofType("command:remote:Command");
  const carrying: string[] = [];
  for (const command of commands) {
    // The plan's steps, and the leave and rejoin steps around each server's switch, which run
    // again exactly when the switch does: on its triggers, secrets included.
    const { secrets } = plan.steps.find((s) => s.name === "switch")!;
    const steps = [...plan.steps, { ...leaveStep(files), secrets }, { ...rejoinStep(files, "200"), secrets }];
    const step = steps.find((s) => command.name.endsWith(`-${s.name}`))!;
    const stdin = command.inputs.stdin;
    const text: string = carriesSecrets(step) ? stdin.value : stdin;
    // Triggers that name a secret are secret as a whole.
    if (step.secrets.length) expect(command.inputs.triggers[SECRET_SIG]).toBe(SECRET_VALUE);
    else expect(JSON.stringify(command.inputs.triggers)).not.toMatch(new RegExp(`${password}|${host}`));
    if (text.includes(password) || text.includes(host)) {
      carrying.push(command.name);
      expect(stdin[SECRET_SIG]).toBe(SECRET_VALUE);
      expect(command.inputs.logging).toBe("none");
      expect(text).toContain(`HBNB_DATABASE_URL=${rdsUrl({ name: "hbnb", user: "hbnb", host, password })}`);
      expect(text).not.toContain(secretToken("databaseHost"));
    }
  }
  expect(carrying).toEqual(["web-1-secrets", "web-2-secrets", "web-3-secrets"]);
  expect(JSON.stringify(run.outputs)).not.toContain(password);
});

test("without database rds, three servers are refused before any resource is created", async () => {
  const sqlite = runRecipe([awsRecipe, "pulumi config set instanceCount 3"].join("\n"), project, root, machine);
  const refused = await runProgram(sqlite.name, programConfig(project, sqlite.name, sqlite.config));
  expect((refused.error as { problems: string[] }).problems).toEqual([
    'hbnb-stack:instanceCount = 3 with database "sqlite" (a SQLite file on each server): each server would keep data of its own; set database to rds for one database all servers share (pulumi config set database rds), or set instanceCount to 1',
  ]);
  expect(refused.resources).toEqual([]);
});

test("every resource of the stack passes every guardrail of the policy pack (policy/), as the CLI calls them", async () => {
  const reported: string[] = [];
  let checked = 0;
  for (const resource of run.resources) {
    const args = {
      type: resource.type,
      props: resource.inputs,
      urn: `urn:pulumi:${stack.name}::hbnb-stack::${resource.type}::${resource.name}`,
      name: resource.name,
      opts: {},
      stackTags: new Map(),
      isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === resource.type,
      asType: () => resource.inputs,
      getConfig: () => ({ sshPorts: [22] }),
      notApplicable: () => undefined,
    } as unknown as ResourceValidationArgs;
    for (const policy of POLICIES) {
      for (const validate of [policy.validateResource ?? []].flat()) {
        await validate(args, (message) => reported.push(`${resource.name}: ${policy.name}: ${message}`));
      }
    }
    checked++;
  }
  expect(checked).toBe(run.resources.length);
  expect(reported).toEqual([]);
  // The guardrails saw what they guard: the instances, the data volumes, the rules, the database.
  for (const type of [
    "aws:ec2/instance:Instance",
    "aws:ebs/volume:Volume",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:rds/instance:Instance",
  ])
    expect(run.resources.some((r) => r.type === type)).toBe(true);
});
