import type { AwsHosts as AwsHostsType, AwsHostsArgs } from "../../components/aws-hosts";
import { sshUserData } from "../../core/cloud-config";
import * as mocks from "./mocks";
import { AMI_ID, ofType, options, valueOf } from "./mocks";

type AmiModule = typeof import("../../components/aws-ami");
type HostsModule = typeof import("../../components/aws-hosts");

const TAGS = { "hbnb-stack:stack": "unit", Project: "hbnb-stack" };

// Admins at one IPv4 address and one IPv6 range, on the default port, one host.
const narrowArgs: AwsHostsArgs = {
  ubuntuRelease: "24.04",
  instanceType: "t3.micro",
  count: 1,
  adminCidrs: ["198.51.100.7/32", "2001:db8:1::/48"],
  sshPort: 22,
  sshUser: "ubuntu",
  publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINarrowKey admin@example",
  rootVolumeSize: 16,
  dataVolumeSize: 10,
  dataDir: "/var/lib/hbnb",
  finalSnapshot: true,
  tags: TAGS,
};

// Two Graviton hosts on jammy, SSH moved to 2222, connecting as a user of its own.
const gravitonArgs: AwsHostsArgs = {
  ubuntuRelease: "22.04",
  instanceType: "t4g.small",
  count: 2,
  adminCidrs: ["203.0.113.0/24"],
  sshPort: 2222,
  sshUser: "deploy",
  publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGravitonKey admin@example",
  rootVolumeSize: 30,
  dataVolumeSize: 50,
  dataDir: "/srv/data",
  finalSnapshot: false,
  tags: TAGS,
};

let ami: AmiModule;
let Hosts: HostsModule["AwsHosts"];
let narrow: AwsHostsType;
let graviton: AwsHostsType;

// Waiting for the instances waits for everything: they depend on the key pair,
// the AMI lookup and (through dependsOn) every firewall rule; the Elastic IPs
// depend on them.
const settled = (hosts: AwsHostsType) =>
  Promise.all([valueOf(hosts.securityGroupId), ...hosts.instanceIds.map(valueOf), ...hosts.publicIps.map(valueOf)]);

beforeAll(async () => {
  await mocks.setupMocks();
  ami = await import("../../components/aws-ami");
  Hosts = (await import("../../components/aws-hosts")).AwsHosts;
  narrow = new Hosts("narrow", narrowArgs, {
    transformations: [mocks.recordOptions],
  });
  graviton = new Hosts("graviton", gravitonArgs, {
    transformations: [mocks.recordOptions],
  });
  await Promise.all([settled(narrow), settled(graviton)]);
});

const ingressRules = (prefix: string) => ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", prefix);
const egressRules = (prefix: string) => ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", prefix);
const rule = (r: mocks.RecordedResource) => ({
  protocol: r.inputs.ipProtocol,
  from: r.inputs.fromPort,
  to: r.inputs.toPort,
  cidr: r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6,
});
const byCidrAndPort = (a: { cidr: string; from?: number }, b: { cidr: string; from?: number }) =>
  `${a.from}${a.cidr}`.localeCompare(`${b.from}${b.cidr}`);

describe("Ubuntu AMI lookup", () => {
  test.each([
    ["24.04", "amd64", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"],
    ["24.04", "arm64", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*"],
    ["22.04", "amd64", "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"],
    ["22.04", "arm64", "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-*"],
  ] as const)("name pattern for %s on %s", (release, arch, pattern) => {
    expect(ami.ubuntuImageNamePattern(release, arch)).toBe(pattern);
  });

  test.each([
    ["t3.micro", "amd64"],
    ["m7i-flex.large", "amd64"],
    ["g4dn.xlarge", "amd64"],
    ["gr6.4xlarge", "amd64"],
    ["t4g.small", "arm64"],
    ["m7g.medium", "arm64"],
    ["m6gd.large", "arm64"],
    ["c7gn.large", "arm64"],
    ["g5g.xlarge", "arm64"],
    ["is4gen.large", "arm64"],
    ["a1.large", "arm64"],
  ])("%s runs %s images", (instanceType, arch) => {
    expect(ami.archOf(instanceType)).toBe(arch);
  });

  test("an instance type without a size is refused rather than guessed", () => {
    expect(() => ami.archOf("t4g")).toThrow(/<family>\.<size>/);
  });

  test.each([
    ["narrow", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"],
    ["graviton", "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-*"],
  ])("%s looks up Canonical's newest image for its release and architecture", (_, pattern) => {
    const lookups = mocks.invokes.filter(
      (i) => i.token === "aws:ec2/getAmi:getAmi" && i.args.filters[0].values[0] === pattern,
    );
    expect(lookups).toHaveLength(1);
    expect(lookups[0].args).toMatchObject({
      mostRecent: true,
      owners: ["099720109477"],
      filters: [
        { name: "name", values: [pattern] },
        { name: "virtualization-type", values: ["hvm"] },
        { name: "root-device-type", values: ["ebs"] },
      ],
    });
  });
});

describe("firewall", () => {
  test("SSH only from the admin CIDRs, web from anywhere, over IPv4 and IPv6", () => {
    expect(ingressRules("narrow-").map(rule).sort(byCidrAndPort)).toEqual(
      [
        { protocol: "tcp", from: 22, to: 22, cidr: "198.51.100.7/32" },
        { protocol: "tcp", from: 22, to: 22, cidr: "2001:db8:1::/48" },
        { protocol: "tcp", from: 80, to: 80, cidr: "0.0.0.0/0" },
        { protocol: "tcp", from: 80, to: 80, cidr: "::/0" },
        { protocol: "tcp", from: 443, to: 443, cidr: "0.0.0.0/0" },
        { protocol: "tcp", from: 443, to: 443, cidr: "::/0" },
      ].sort(byCidrAndPort),
    );
    expect(ingressRules("graviton-").map(rule).sort(byCidrAndPort)).toEqual(
      [
        { protocol: "tcp", from: 2222, to: 2222, cidr: "203.0.113.0/24" },
        { protocol: "tcp", from: 80, to: 80, cidr: "0.0.0.0/0" },
        { protocol: "tcp", from: 80, to: 80, cidr: "::/0" },
        { protocol: "tcp", from: 443, to: 443, cidr: "0.0.0.0/0" },
        { protocol: "tcp", from: 443, to: 443, cidr: "::/0" },
      ].sort(byCidrAndPort),
    );
  });

  test("SSH is never open to the whole internet, and only the SSH port is", () => {
    for (const [prefix, sshPort] of [
      ["narrow-", 22],
      ["graviton-", 2222],
    ] as const) {
      const open = ingressRules(prefix)
        .map(rule)
        .filter((r) => r.cidr === "0.0.0.0/0" || r.cidr === "::/0");
      expect(open.map((r) => r.from).sort()).toEqual([443, 443, 80, 80]);
      expect(open.some((r) => r.from === sshPort || r.protocol === "-1")).toBe(false);
    }
    expect(ingressRules("graviton-").some((r) => r.inputs.fromPort === 22)).toBe(false);
  });

  test("all egress, IPv4 and IPv6, with no port range", () => {
    for (const prefix of ["narrow-", "graviton-"]) {
      expect(egressRules(prefix).map(rule).sort(byCidrAndPort)).toEqual(
        [
          { protocol: "-1", from: undefined, to: undefined, cidr: "0.0.0.0/0" },
          { protocol: "-1", from: undefined, to: undefined, cidr: "::/0" },
        ].sort(byCidrAndPort),
      );
    }
  });

  test("every rule has a description and belongs to the hosts' security group", () => {
    const rules = [...ingressRules(""), ...egressRules("")];
    expect(rules).toHaveLength(6 + 2 + 5 + 2);
    for (const r of rules) {
      expect(r.inputs.description).toEqual(expect.stringMatching(/\S/));
      expect(r.inputs.securityGroupId).toBe(r.name.startsWith("narrow-") ? "narrow-sg_id" : "graviton-sg_id");
    }
    for (const r of ingressRules("narrow-sg-ssh-")) {
      expect(r.inputs.description).toContain(r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6);
    }
  });

  test("no inline rules compete with the rule resources", () => {
    for (const group of ofType("aws:ec2/securityGroup:SecurityGroup")) {
      expect(group.inputs.ingress).toBeUndefined();
      expect(group.inputs.egress).toBeUndefined();
      expect(group.inputs.vpcId).toBeUndefined();
    }
  });
});

describe("instances", () => {
  test("count gives that many instances, Elastic IPs and hosts, with distinct names", () => {
    expect(ofType("aws:ec2/instance:Instance", "narrow-").map((r) => r.name)).toEqual(["narrow-web-1"]);
    expect(
      ofType("aws:ec2/instance:Instance", "graviton-")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["graviton-web-1", "graviton-web-2"]);
    expect(
      ofType("aws:ec2/eip:Eip", "graviton-")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["graviton-web-1-eip", "graviton-web-2-eip"]);
    expect(graviton.hosts.map((h) => h.name)).toEqual(["web-1", "web-2"]);
    expect(narrow.hosts.map((h) => h.name)).toEqual(["web-1"]);
  });

  test("IMDSv2 required, encrypted gp3 root volume, the looked-up AMI, user data only to move SSH", () => {
    for (const instance of ofType("aws:ec2/instance:Instance")) {
      const args = instance.name.startsWith("narrow-") ? narrowArgs : gravitonArgs;
      expect(instance.inputs).toMatchObject({
        ami: AMI_ID,
        instanceType: args.instanceType,
        metadataOptions: {
          httpTokens: "required",
          httpEndpoint: "enabled",
          httpPutResponseHopLimit: 1,
        },
        rootBlockDevice: {
          volumeType: "gp3",
          volumeSize: args.rootVolumeSize,
          encrypted: true,
          deleteOnTermination: true,
        },
      });
      // Port 22 needs none; 2222 the rendered cloud-config (test/unit/cloud-config.test.ts).
      expect(instance.inputs.userData).toBe(sshUserData(args));
      expect(instance.inputs.userDataBase64).toBeUndefined();
    }
  });

  test("instances use the key pair made from the public key, and the security group", () => {
    for (const [prefix, args] of [
      ["narrow-", narrowArgs],
      ["graviton-", gravitonArgs],
    ] as const) {
      const keys = ofType("aws:ec2/keyPair:KeyPair", prefix);
      expect(keys).toHaveLength(1);
      expect(keys[0].inputs.publicKey).toBe(args.publicKey);
      for (const instance of ofType("aws:ec2/instance:Instance", prefix)) {
        expect(instance.inputs.keyName).toBe(keys[0].state.keyName);
        expect(instance.inputs.vpcSecurityGroupIds).toEqual([`${prefix}sg_id`]);
      }
    }
  });

  test("a new Canonical AMI does not replace a running instance", () => {
    const instances = options.filter((o) => o.type === "aws:ec2/instance:Instance");
    expect(instances.map((o) => o.name).sort()).toEqual(["graviton-web-1", "graviton-web-2", "narrow-web-1"]);
    for (const instance of instances) {
      expect(instance.opts.ignoreChanges).toEqual(["ami", "subnetId"]);
    }
  });

  test("an instance waits for its firewall rules, so the first SSH attempt finds port 22 open", () => {
    const instance = options.find((o) => o.name === "narrow-web-1");
    expect(instance?.opts.dependsOn).toHaveLength(ingressRules("narrow-").length + egressRules("narrow-").length);
  });
});

describe("Elastic IPs and hosts", () => {
  test("one Elastic IP per instance, in the VPC, bound to it", () => {
    const eips = ofType("aws:ec2/eip:Eip");
    expect(eips).toHaveLength(3);
    for (const eip of eips) {
      expect(eip.inputs).toEqual(
        expect.objectContaining({
          domain: "vpc",
          instance: `${eip.name.replace(/-eip$/, "")}_id`,
        }),
      );
    }
  });

  test("hosts are reached at their Elastic IP, as the SSH user, on the SSH port", async () => {
    for (const [hosts, prefix, args] of [
      [narrow, "narrow-", narrowArgs],
      [graviton, "graviton-", gravitonArgs],
    ] as const) {
      const eipIps = ofType("aws:ec2/eip:Eip", prefix)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((r) => r.state.publicIp);
      const addresses = await Promise.all(hosts.hosts.map((h) => valueOf(h.address)));
      expect(addresses).toEqual(eipIps);
      expect(await Promise.all(hosts.publicIps.map(valueOf))).toEqual(eipIps);
      expect(new Set(addresses).size).toBe(args.count);
      for (const host of hosts.hosts) {
        expect(host).toMatchObject({ user: args.sshUser, port: args.sshPort });
        const deps = await Promise.all((host.dependsOn ?? []).map((d) => valueOf(d.urn)));
        expect(deps.map((urn) => urn.split("::").pop())).toEqual([
          `${prefix}${host.name}`,
          `${prefix}${host.name}-eip`,
          `${prefix}${host.name}-data`,
        ]);
      }
    }
  });

  test("outputs carry the instance and security group ids", async () => {
    expect(await Promise.all(graviton.instanceIds.map(valueOf))).toEqual(["graviton-web-1_id", "graviton-web-2_id"]);
    expect(await valueOf(graviton.securityGroupId)).toBe("graviton-sg_id");
  });
});

describe("tags", () => {
  test.each([
    ["aws:ec2/instance:Instance"],
    ["aws:ec2/eip:Eip"],
    ["aws:ec2/securityGroup:SecurityGroup"],
    ["aws:ec2/keyPair:KeyPair"],
    ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"],
    ["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"],
  ])("%s carries the caller's tags", (type) => {
    const tagged = ofType(type);
    expect(tagged.length).toBeGreaterThan(0);
    for (const r of tagged) {
      expect(r.inputs.tags).toMatchObject(TAGS);
    }
  });

  test("instances, their volumes, Elastic IPs, the group and the key are named in the console", () => {
    expect(ofType("aws:ec2/instance:Instance", "narrow-")[0].inputs).toMatchObject({
      tags: { Name: "narrow-web-1" },
      volumeTags: { ...TAGS, Name: "narrow-web-1" },
    });
    expect(ofType("aws:ec2/eip:Eip", "narrow-")[0].inputs.tags.Name).toBe("narrow-web-1");
    expect(ofType("aws:ec2/securityGroup:SecurityGroup", "narrow-")[0].inputs.tags.Name).toBe("narrow-sg");
    expect(ofType("aws:ec2/keyPair:KeyPair", "narrow-")[0].inputs.tags.Name).toBe("narrow-key");
  });
});

describe("arguments", () => {
  test.each([
    [{ count: 0 }, /count/],
    [{ count: 1.5 }, /count/],
    [{ adminCidrs: [] }, /adminCidrs/],
  ])("%j is refused before anything is created", (override, message) => {
    const before = mocks.resources.length;
    expect(() => new Hosts("refused", { ...narrowArgs, ...override })).toThrow(message);
    expect(mocks.resources.length).toBe(before);
  });
});
