import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { encryptedVolumes, imdsV2Only, noWorldSsh, POLICIES, privateDatabases } from "../../policy/rules";

/**
 * Every guardrail of the policy pack, called directly as the Pulumi CLI calls it: the resource's
 * type and inputs in, the violations it reports out. Each rule has resources that pass and
 * resources that fail.
 */
const TYPES = {
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  groupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  instance: "aws:ec2/instance:Instance",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  volume: "aws:ebs/volume:Volume",
  rds: "aws:rds/instance:Instance",
  rdsCluster: "aws:rds/clusterInstance:ClusterInstance",
  bucket: "aws:s3/bucket:Bucket",
};

class NotApplicable extends Error {}

/** The violations POLICY reports for one resource (none when the policy does not apply to it). */
async function violations(
  policy: ResourceValidationPolicy,
  type: string,
  props: Record<string, unknown>,
  config: Record<string, unknown> = {},
): Promise<string[]> {
  const reported: string[] = [];
  const args = {
    type,
    props,
    urn: `urn:pulumi:dev::hbnb-stack::${type}::test`,
    name: "test",
    opts: {},
    stackTags: new Map(),
    isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === type,
    asType: () => props,
    getConfig: () => ({ sshPorts: [22], ...config }),
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  } as unknown as ResourceValidationArgs;
  const validations = [policy.validateResource ?? []].flat();
  for (const validate of validations) {
    try {
      await validate(args, (message) => reported.push(message));
    } catch (error) {
      if (!(error instanceof NotApplicable)) throw error;
    }
  }
  return reported;
}

test("the pack holds the four guardrails, all mandatory", () => {
  expect(POLICIES.map((p) => p.name)).toEqual([
    "no-ssh-open-to-the-world",
    "volumes-encrypted",
    "imdsv2-only",
    "no-public-database",
  ]);
  for (const policy of POLICIES) expect(policy.enforcementLevel).toBe("mandatory");
});

// The SSH tables have an optional fourth column (the pack's config). Their test functions take a
// rest parameter: jest reads a function with more parameters than a row has as one that calls done().
describe("no SSH open to the world", () => {
  const ssh = (cidr: string, extra: Record<string, unknown> = {}) => ({
    ipProtocol: "tcp",
    fromPort: 22,
    toPort: 22,
    ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
    ...extra,
  });

  test.each<[string, string, Record<string, unknown>, Record<string, unknown>?]>([
    ["a rule for SSH from an admin address", TYPES.ingressRule, ssh("203.0.113.7/32")],
    ["a rule for HTTP from anywhere", TYPES.ingressRule, { ...ssh("0.0.0.0/0"), fromPort: 80, toPort: 80 }],
    ["a rule for HTTPS from anywhere (IPv6)", TYPES.ingressRule, { ...ssh("::/0"), fromPort: 443, toPort: 443 }],
    ["UDP 22 from anywhere (not SSH)", TYPES.ingressRule, { ...ssh("0.0.0.0/0"), ipProtocol: "udp" }],
    [
      "an inline group of HTTP for all, SSH for one address",
      TYPES.securityGroup,
      {
        ingress: [
          { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
          { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["198.51.100.0/24"] },
        ],
      },
    ],
    [
      "an egress rule to anywhere",
      TYPES.groupRule,
      { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] },
    ],
    ["port 22 from anywhere when SSH listens on 2222", TYPES.ingressRule, ssh("0.0.0.0/0"), { sshPorts: [2222] }],
    ["a resource of another type", TYPES.bucket, { cidrIpv4: "0.0.0.0/0" }],
  ])("passes: %s", async (...[, type, props, config]) => {
    expect(await violations(noWorldSsh, type, props, config)).toEqual([]);
  });

  test.each<[string, string, Record<string, unknown>, Record<string, unknown>?]>([
    ["a rule for SSH from 0.0.0.0/0", TYPES.ingressRule, ssh("0.0.0.0/0")],
    ["a rule for SSH from ::/0", TYPES.ingressRule, ssh("::/0")],
    ["a port range that includes 22", TYPES.ingressRule, { ...ssh("0.0.0.0/0"), fromPort: 1, toPort: 1024 }],
    ["all protocols from anywhere", TYPES.ingressRule, { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }],
    [
      "the stack's own SSH port, 2222, from anywhere",
      TYPES.ingressRule,
      ssh("0.0.0.0/0", { fromPort: 2222, toPort: 2222 }),
      { sshPorts: [2222] },
    ],
    [
      "an inline ingress for SSH from anywhere",
      TYPES.securityGroup,
      { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8", "0.0.0.0/0"] }] },
    ],
    [
      "an inline ingress of every protocol from anywhere (IPv6)",
      TYPES.securityGroup,
      { ingress: [{ protocol: "all", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }] },
    ],
    [
      "a security group rule for SSH from anywhere",
      TYPES.groupRule,
      { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] },
    ],
  ])("fails: %s", async (...[, type, props, config]) => {
    const found = await violations(noWorldSsh, type, props, config);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/opens SSH \(port \d+\) to the whole internet/);
  });
});

describe("volumes encrypted", () => {
  const instance = (extra: Record<string, unknown> = {}) => ({
    rootBlockDevice: { encrypted: true, volumeType: "gp3" },
    metadataOptions: { httpTokens: "required" },
    ...extra,
  });

  test.each<[string, string, Record<string, unknown>]>([
    ["an instance with an encrypted root", TYPES.instance, instance()],
    [
      "an instance with encrypted extra volumes",
      TYPES.instance,
      instance({ ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true }] }),
    ],
    ["an encrypted volume", TYPES.volume, { availabilityZone: "eu-west-3a", size: 10, encrypted: true }],
    [
      "a launch template with encrypted volumes",
      TYPES.launchTemplate,
      { blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { encrypted: "true" } }] },
    ],
  ])("passes: %s", async (_, type, props) => {
    expect(await violations(encryptedVolumes, type, props)).toEqual([]);
  });

  test.each<[string, string, Record<string, unknown>, RegExp]>([
    ["an instance with no root settings", TYPES.instance, {}, /root volume is not encrypted/],
    [
      "an instance with an unencrypted root",
      TYPES.instance,
      instance({ rootBlockDevice: { encrypted: false } }),
      /root volume/,
    ],
    [
      "an instance with an unencrypted extra volume",
      TYPES.instance,
      instance({ ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: false }] }),
      /volume \/dev\/sdf is not encrypted/,
    ],
    ["a volume with no encryption", TYPES.volume, { availabilityZone: "eu-west-3a", size: 10 }, /not encrypted/],
    [
      "a launch template with an unencrypted volume",
      TYPES.launchTemplate,
      { blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { encrypted: "false" } }] },
      /launch template's volume \/dev\/sda1/,
    ],
  ])("fails: %s", async (_, type, props, message) => {
    const found = await violations(encryptedVolumes, type, props);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });
});

describe("IMDSv2 only", () => {
  test.each<[string, string, Record<string, unknown>]>([
    ["an instance with httpTokens required", TYPES.instance, { metadataOptions: { httpTokens: "required" } }],
    [
      "a launch template with httpTokens required",
      TYPES.launchTemplate,
      { metadataOptions: { httpTokens: "required" } },
    ],
  ])("passes: %s", async (_, type, props) => {
    expect(await violations(imdsV2Only, type, props)).toEqual([]);
  });

  test.each<[string, string, Record<string, unknown>]>([
    ["an instance with no metadata options (IMDSv1 by default)", TYPES.instance, {}],
    ["an instance with httpTokens optional", TYPES.instance, { metadataOptions: { httpTokens: "optional" } }],
    ["a launch template with no metadata options", TYPES.launchTemplate, {}],
    [
      "a launch template with httpTokens optional",
      TYPES.launchTemplate,
      { metadataOptions: { httpTokens: "optional" } },
    ],
  ])("fails: %s", async (_, type, props) => {
    const found = await violations(imdsV2Only, type, props);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/allows IMDSv1; set metadataOptions.httpTokens: "required"/);
  });
});

describe("no public database", () => {
  test.each<[string, string, Record<string, unknown>]>([
    ["a private RDS instance", TYPES.rds, { engine: "mysql", publiclyAccessible: false }],
    ["an RDS instance with the default (private)", TYPES.rds, { engine: "mysql" }],
    ["a private cluster instance", TYPES.rdsCluster, { publiclyAccessible: false }],
  ])("passes: %s", async (_, type, props) => {
    expect(await violations(privateDatabases, type, props)).toEqual([]);
  });

  test.each<[string, string, Record<string, unknown>]>([
    ["a public RDS instance", TYPES.rds, { engine: "mysql", publiclyAccessible: true }],
    ["a public cluster instance", TYPES.rdsCluster, { publiclyAccessible: true }],
  ])("fails: %s", async (_, type, props) => {
    expect(await violations(privateDatabases, type, props)).toEqual([
      "the database is publicly accessible; set publiclyAccessible: false and reach it from the VPC",
    ]);
  });
});
