import * as fs from "fs";
import * as path from "path";
import { ResourceValidationArgs } from "@pulumi/policy";
import { parse } from "yaml";
import { BOOT_SECONDS, USER_DATA_LIMIT } from "../../components/aws-autoscaling";
import { buildBundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan, secretToken } from "../../core/plan";
import { parseSettings } from "../../core/settings";
import { RDS_NAMES, rdsUrl } from "../../core/rds";
import { BOOT_SETTINGS, bootPlan, sha256 } from "../../core/user-data";
import { loadProject, programConfig } from "../../local/pulumi-cli-config";
import { POLICIES } from "../../policy/rules";
import { AMI_ID, DEFAULT_VPC, REGION, SUBNETS } from "./mocks";
import { Machine, runRecipe, shellBlocks } from "./readme-recipes";
import { Run, runProgram } from "./run-program";

/**
 * The whole program under Pulumi's mocks with the README's "Autoscaling" recipe after its "Run it
 * on AWS" one: an Auto Scaling Group behind the load balancer, on the stack's RDS database, whose
 * launch template's user data is the plan (the boot driver), the release store and the secrets it
 * reads (the database's endpoint and password among them), and no server deployed over SSH.
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
const recipe = [shellBlocks(readme, "Run it on AWS")[0], ...shellBlocks(readme, "Autoscaling")].join("\n");
const stack = runRecipe(recipe, project, root, machine);
const cli = programConfig(project, stack.name, stack.config);
const raw = Object.fromEntries(
  Object.entries(cli.config)
    .filter(([key]) => key.startsWith("hbnb-stack:"))
    .map(([key, value]) => [key.slice("hbnb-stack:".length), value]),
);
const settings = parseSettings(raw);
const plan = buildPlan(settings, buildBundle(), loadServerFiles());
const NAME = `hbnb-stack-${stack.name}`;
// How a secret value looks in mock inputs: @pulumi/pulumi runtime/rpc.ts, specialSigKey and specialSecretSig.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

let run: Run;
beforeAll(async () => {
  run = await runProgram(stack.name, cli);
  expect(run.error).toBeUndefined();
});
const ofType = (type: string) => run.resources.filter((r) => r.type === type);
/** The bucket's name, as the provider makes it (auto-named after the resource). */
const bucketName = (): string => one("aws:s3/bucket:Bucket").state.bucket;
const one = (type: string) => {
  const found = ofType(type);
  expect(found).toHaveLength(1);
  return found[0];
};

test("the recipe sets autoscaling, as numbers, on database rds, behind the load balancer", () => {
  expect(settings.aws!.autoscaling).toEqual({ min: 2, max: 6, cpuTarget: 60 });
  expect(settings.app.database).toBe("rds");
  expect(settings.aws!.loadBalancer).toBe(true);
});

const rule = (r: Run["resources"][number]) => ({
  group: r.inputs.securityGroupId,
  port: r.inputs.fromPort,
  from: r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6 ?? r.inputs.referencedSecurityGroupId,
});

test("behind the load balancer: the instances' group takes HTTP from its group only, SSH from the admins", () => {
  const ingress = ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
  expect(ingress.filter((r) => r.inputs.securityGroupId === `${NAME}-sg_id`).map(rule)).toEqual([
    { group: `${NAME}-sg_id`, port: 22, from: "203.0.113.7/32" },
    { group: `${NAME}-sg_id`, port: 80, from: `${NAME}-lb-sg_id` },
  ]);
  expect(ingress.filter((r) => r.inputs.securityGroupId === `${NAME}-lb-sg_id`).map(rule)).toEqual([
    { group: `${NAME}-lb-sg_id`, port: 80, from: "0.0.0.0/0" },
    { group: `${NAME}-lb-sg_id`, port: 80, from: "::/0" },
  ]);
  // The database: MariaDB from the instances' group alone.
  expect(ingress.filter((r) => r.inputs.securityGroupId === `${NAME}-db-sg_id`).map(rule)).toEqual([
    { group: `${NAME}-db-sg_id`, port: 3306, from: `${NAME}-sg_id` },
  ]);
  const [listener] = ofType("aws:lb/listener:Listener");
  const [targetGroup] = ofType("aws:lb/targetGroup:TargetGroup");
  expect(listener.inputs.defaultActions).toEqual([{ type: "forward", targetGroupArn: targetGroup.state.arn }]);
  expect(targetGroup.inputs.healthCheck).toMatchObject({ path: "/-/balancer", matcher: "200" });
  // The group registers its instances itself: no attachment of the stack's.
  expect(ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment")).toEqual([]);
  const [alb] = ofType("aws:lb/loadBalancer:LoadBalancer");
  expect(run.outputs.url).toBe(`http://${alb.state.dnsName}/`);
});

test("one RDS MariaDB, encrypted and private, that the group's instances share", () => {
  const [db] = ofType("aws:rds/instance:Instance");
  expect(db.inputs).toMatchObject({ engine: "mariadb", storageEncrypted: true, publiclyAccessible: false });
  expect(db.inputs.vpcSecurityGroupIds).toEqual([`${NAME}-db-sg_id`]);
});

test("deploys nothing over SSH: no instance of its own, no command, no address", () => {
  expect(ofType("aws:ec2/instance:Instance")).toEqual([]);
  expect(ofType("aws:ec2/eip:Eip")).toEqual([]);
  expect(run.resources.filter((r) => r.type.startsWith("command:"))).toEqual([]);
  expect([run.outputs.publicIps, run.outputs.urls, run.outputs.sshCommands]).toEqual([[], [], []]);
  expect(run.outputs.release).toBe(plan.release);
  expect(run.outputs.autoscalingGroup).toMatch(new RegExp(`^${NAME}-web-\\d+$`));
});

test("the release store: a private, encrypted, versioned bucket holding the boot plan and the release archive", () => {
  const bucket = one("aws:s3/bucket:Bucket");
  expect(bucket.name).toBe(`${NAME}-releases`);
  expect(one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
    bucket: `${NAME}-releases_id`,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  expect(one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs).toEqual(
    expect.objectContaining({ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }),
  );
  expect(one("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).toEqual({
    status: "Enabled",
  });
  expect(bucketName()).toMatch(new RegExp(`^${NAME}-releases-\\d+$`));
  const objects = ofType("aws:s3/bucketObjectv2:BucketObjectv2");
  expect(objects.map((o) => [o.name, o.inputs.key])).toEqual([
    [`${NAME}-boot-plan`, `plans/${sha256(bootPlan(plan))}.json`],
    [`${NAME}-release`, `releases/${plan.release}.tar.gz`],
  ]);
  expect(objects[0].inputs.content).toBe(bootPlan(plan));
});

test("the secrets are SSM SecureStrings, one per secret the plan needs, the stack's own values", () => {
  const parameters = ofType("aws:ssm/parameter:Parameter");
  expect(parameters.map((p) => [p.inputs.name, p.inputs.type])).toEqual([
    [`/${NAME}/flaskSecretKey`, "SecureString"],
    [`/${NAME}/apiToken`, "SecureString"],
    [`/${NAME}/databasePassword`, "SecureString"],
    [`/${NAME}/databaseHost`, "SecureString"],
  ]);
  const passwords = ofType("random:index/randomPassword:RandomPassword").map((p) => p.state.result);
  const [db] = ofType("aws:rds/instance:Instance");
  expect(parameters.map((p) => p.inputs.value.value ?? p.inputs.value)).toEqual([...passwords, db.state.address]);
  // As secrets in the state too.
  for (const p of parameters) expect(p.inputs.value[SECRET_SIG]).toBe(SECRET_VALUE);
});

test("the boot plan's secrets step writes the database's URL from those two parameters' tokens", () => {
  const step = JSON.parse(bootPlan(plan)).steps.find((s: { name: string }) => s.name === "secrets");
  expect(step.secrets).toEqual(["flaskSecretKey", "apiToken", "databasePassword", "databaseHost"]);
  expect(step.carriesSecrets).toBe(true);
  const url = rdsUrl({ ...RDS_NAMES, host: secretToken("databaseHost"), password: secretToken("databasePassword") });
  expect(step.stdin).toContain(`HBNB_DATABASE_URL=${url}`);
});

test("the instances' role reads exactly the stack's two objects and its parameters", () => {
  const role = one("aws:iam/role:Role");
  expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
    { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
  ]);
  const policy = JSON.parse(one("aws:iam/rolePolicy:RolePolicy").inputs.policy);
  const bucketArn = `arn:aws:s3:::${bucketName()}`;
  expect(policy.Statement).toEqual([
    {
      Sid: "ReleaseAndBootPlan",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: [`${bucketArn}/plans/${sha256(bootPlan(plan))}.json`, `${bucketArn}/releases/${plan.release}.tar.gz`],
    },
    {
      Sid: "Secrets",
      Effect: "Allow",
      Action: "ssm:GetParameter",
      Resource: [
        `arn:aws:ssm:${REGION}:123456789012:${NAME}-flaskSecretKey_id`,
        `arn:aws:ssm:${REGION}:123456789012:${NAME}-apiToken_id`,
        `arn:aws:ssm:${REGION}:123456789012:${NAME}-databasePassword_id`,
        `arn:aws:ssm:${REGION}:123456789012:${NAME}-databaseHost_id`,
      ],
    },
  ]);
  expect(one("aws:iam/instanceProfile:InstanceProfile").inputs.role).toBe(role.state.name);
});

test("the launch template: Ubuntu's image, IMDSv2 only, an encrypted root volume, and the plan as user data", () => {
  const template = one("aws:ec2/launchTemplate:LaunchTemplate").inputs;
  expect(template.imageId).toBe(AMI_ID);
  expect(template.instanceType).toBe(settings.aws!.instanceType);
  expect(template.metadataOptions).toEqual({
    httpTokens: "required",
    httpEndpoint: "enabled",
    httpPutResponseHopLimit: 1,
  });
  expect(template.blockDeviceMappings).toEqual([
    {
      deviceName: "/dev/sda1",
      ebs: { volumeType: "gp3", volumeSize: 8, encrypted: "true", deleteOnTermination: "true" },
    },
  ]);
  expect(template.iamInstanceProfile).toEqual({ arn: `arn:aws:iam:${REGION}:123456789012:${NAME}-instance_id` });
  expect(template.vpcSecurityGroupIds).toEqual([`${NAME}-sg_id`]);
  const userData = Buffer.from(template.userData, "base64").toString("utf8");
  expect(Buffer.byteLength(userData)).toBeLessThan(USER_DATA_LIMIT);
  const files = (parse(userData) as { write_files: { path: string; content: string }[] }).write_files;
  const boot = JSON.parse(files.find((f) => f.path === BOOT_SETTINGS)!.content);
  const s3 = (key: string) => ({ s3: { bucket: bucketName(), key, region: REGION } });
  expect(boot).toEqual({
    plan: s3(`plans/${sha256(bootPlan(plan))}.json`),
    planSha256: sha256(bootPlan(plan)),
    archive: s3(`releases/${plan.release}.tar.gz`),
    secrets: {
      flaskSecretKey: { ssm: { name: `/${NAME}/flaskSecretKey`, region: REGION } },
      apiToken: { ssm: { name: `/${NAME}/apiToken`, region: REGION } },
      databasePassword: { ssm: { name: `/${NAME}/databasePassword`, region: REGION } },
      databaseHost: { ssm: { name: `/${NAME}/databaseHost`, region: REGION } },
    },
  });
  // No secret value in the user data, which EC2 shows to whoever may describe the instance.
  for (const password of ofType("random:index/randomPassword:RandomPassword"))
    expect(userData).not.toContain(password.state.result);
});

test("the group: min to max over the default VPC's subnets, rolled by instance refresh, scaled on CPU", () => {
  const group = one("aws:autoscaling/group:Group").inputs;
  expect(group).toMatchObject({
    vpcZoneIdentifiers: Object.keys(SUBNETS),
    minSize: 2,
    maxSize: 6,
    // The template's version by number: "$Latest" would start no instance refresh.
    launchTemplate: { id: `${NAME}-web_id`, version: "1" },
    // Registered in the load balancer's target group, healthy when it serves there.
    targetGroupArns: [ofType("aws:lb/targetGroup:TargetGroup")[0].state.arn],
    healthCheckType: "ELB",
    healthCheckGracePeriod: BOOT_SECONDS,
    instanceRefresh: {
      strategy: "Rolling",
      preferences: { minHealthyPercentage: 100, maxHealthyPercentage: 200, instanceWarmup: String(BOOT_SECONDS) },
    },
  });
  const subnetLookup = run.invokes.find((i) => i.token === "aws:ec2/getSubnets:getSubnets")!;
  expect(subnetLookup.args.filters).toEqual([
    { name: "vpc-id", values: [DEFAULT_VPC] },
    { name: "default-for-az", values: ["true"] },
  ]);
  expect(run.invokes.find((i) => i.token === "aws:ec2/getVpc:getVpc")!.args).toEqual({ default: true });
  const policy = one("aws:autoscaling/policy:Policy").inputs;
  expect(policy).toMatchObject({
    autoscalingGroupName: one("aws:autoscaling/group:Group").state.name,
    policyType: "TargetTrackingScaling",
    targetTrackingConfiguration: {
      predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
      targetValue: 60,
    },
  });
});

test("every resource passes the policy pack's guardrails (IMDSv2, encrypted volumes, no SSH from anywhere)", async () => {
  class NotApplicable extends Error {}
  const reported: string[] = [];
  const checked: string[] = [];
  for (const resource of run.resources) {
    // As the CLI calls a rule (test/unit/policy.test.ts restates it): the type and the inputs.
    const args = {
      type: resource.type,
      props: resource.inputs,
      urn: `urn:pulumi:dev::hbnb-stack::${resource.type}::${resource.name}`,
      name: resource.name,
      opts: {},
      stackTags: new Map(),
      isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === resource.type,
      asType: () => resource.inputs,
      getConfig: () => ({ sshPorts: [22] }),
      notApplicable: (): never => {
        throw new NotApplicable();
      },
    } as unknown as ResourceValidationArgs;
    for (const policy of POLICIES)
      for (const validate of [policy.validateResource ?? []].flat()) {
        try {
          await validate(args, (message) => reported.push(`${resource.name}: ${message}`));
          checked.push(`${policy.name} ${resource.type}`);
        } catch (error) {
          if (!(error instanceof NotApplicable)) throw error;
        }
      }
  }
  expect(reported).toEqual([]);
  expect(checked).toEqual(
    expect.arrayContaining([
      "volumes-encrypted aws:ec2/launchTemplate:LaunchTemplate",
      "imdsv2-only aws:ec2/launchTemplate:LaunchTemplate",
      "no-ssh-open-to-the-world aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    ]),
  );
});
