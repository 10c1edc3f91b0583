import type * as pulumi from "@pulumi/pulumi";
import type { AwsHosts as AwsHostsType, AwsHostsArgs } from "../../components/aws-hosts";
import { healthCheckOf } from "../../components/aws-load-balancer";
import { buildBundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { layout } from "../../core/layout";
import { buildPlan, ebsDevice } from "../../core/plan";
import { parseSettings } from "../../core/settings";
import * as mocks from "./mocks";
import { ofType, options, valueOf } from "./mocks";

/**
 * The AWS resources of several servers (data volumes, snapshots, the load balancer and the
 * rules between them) and of one server without a load balancer, under Pulumi's mocks. The
 * mocks' default VPC has three default subnets listed out of zone order (mocks.ts, SUBNETS).
 */
const TAGS = { "hbnb-stack:stack": "unit", Project: "hbnb-stack" };
const base: Omit<AwsHostsArgs, "count"> = {
  ubuntuRelease: "24.04",
  instanceType: "t3.micro",
  adminCidrs: ["198.51.100.7/32"],
  sshPort: 22,
  sshUser: "ubuntu",
  publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIManyKey admin@example",
  rootVolumeSize: 8,
  dataVolumeSize: 20,
  dataDir: "/var/lib/hbnb",
  finalSnapshot: true,
  tags: TAGS,
};
const HEALTH = { path: "/api/v1/status", matcher: "200" };

let many: AwsHostsType;
let single: AwsHostsType;

beforeAll(async () => {
  await mocks.setupMocks();
  const { AwsHosts } = await import("../../components/aws-hosts");
  const record = { transformations: [mocks.recordOptions] };
  many = new AwsHosts("many", { ...base, count: 4, loadBalancer: HEALTH }, record);
  single = new AwsHosts("single", { ...base, count: 1, finalSnapshot: false, dataDir: "/srv/data" }, record);
  await Promise.all(
    [many, single].flatMap((h) => [
      ...h.instanceIds.map(valueOf),
      ...h.dataVolumeIds.map(valueOf),
      ...h.hosts.map((host) => valueOf(host.facts!.dataDevice)),
      ...(h.loadBalancer?.attachments ?? []).map((a) => valueOf(a.id)),
    ]),
  );
});

const optionsOf = (type: string, name: string) =>
  options.find((o) => o.type === type && o.name === name)!.opts as pulumi.CustomResourceOptions;
const VOLUME = "aws:ebs/volume:Volume";
const ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment";
const ingress = (prefix: string) => ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", prefix);
const egress = (prefix: string) => ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", prefix);
const rule = (r: mocks.RecordedResource) => ({
  group: r.inputs.securityGroupId,
  port: r.inputs.fromPort,
  to: r.inputs.toPort,
  from: r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6 ?? r.inputs.referencedSecurityGroupId,
});

describe("placement", () => {
  test("the instances take the default VPC's subnets in zone order, in turn", () => {
    const instances = ofType("aws:ec2/instance:Instance", "many-");
    expect(instances.map((i) => [i.name, i.inputs.subnetId])).toEqual([
      ["many-web-1", "subnet-0aaa"],
      ["many-web-2", "subnet-0bbb"],
      ["many-web-3", "subnet-0ccc"],
      ["many-web-4", "subnet-0aaa"],
    ]);
    expect(mocks.invokes.filter((i) => i.token === "aws:ec2/getSubnets:getSubnets")[0].args.filters).toEqual([
      { name: "vpc-id", values: [mocks.DEFAULT_VPC] },
      { name: "default-for-az", values: ["true"] },
    ]);
  });

  test("a new zone in the VPC moves no instance: subnetId is ignored after creation", () => {
    expect(optionsOf("aws:ec2/instance:Instance", "many-web-2").ignoreChanges).toEqual(["ami", "subnetId"]);
  });
});

describe("data volumes", () => {
  test("one per instance, in its zone, encrypted gp3, a final snapshot at delete, tagged for the snapshot policy", () => {
    const volumes = ofType(VOLUME, "many-");
    expect(volumes.map((v) => [v.name, v.inputs.availabilityZone])).toEqual([
      ["many-web-1-data", "us-east-1a"],
      ["many-web-2-data", "us-east-1b"],
      ["many-web-3-data", "us-east-1c"],
      ["many-web-4-data", "us-east-1a"],
    ]);
    for (const v of volumes) {
      expect(v.inputs).toMatchObject({ size: 20, type: "gp3", encrypted: true, finalSnapshot: true });
      expect(v.inputs.tags).toEqual({
        ...TAGS,
        Name: v.name,
        "hbnb-stack:data": "many",
        "hbnb-stack:mount": "/var/lib/hbnb",
      });
    }
    const [one] = ofType(VOLUME, "single-");
    expect(one.inputs).toMatchObject({ finalSnapshot: false, availabilityZone: "us-east-1a" });
    expect(one.inputs.tags["hbnb-stack:mount"]).toBe("/srv/data");
  });

  test("a volume takes nothing of its instance but the zone it was made in, and is deleted (after its final snapshot) at destroy", () => {
    const opts = optionsOf(VOLUME, "many-web-1-data");
    expect(opts.dependsOn).toBeUndefined();
    // A replaced instance's zone (unknown in a preview) never replaces the volume.
    expect(opts.ignoreChanges).toEqual(["availabilityZone"]);
    expect(opts.retainOnDelete).toBeUndefined();
    expect(opts.deleteBeforeReplace).toBeUndefined();
    const [volume] = ofType(VOLUME, "many-web-1-data");
    expect(Object.keys(volume.inputs).sort()).toEqual([
      "availabilityZone",
      "encrypted",
      "finalSnapshot",
      "size",
      "tags",
      "type",
    ]);
  });

  test("the attachment ties volume and instance at /dev/sdf, goes before its replacement, stops the instance first", () => {
    const attachments = ofType(ATTACHMENT, "many-");
    expect(attachments.map((a) => a.inputs)).toEqual(
      [1, 2, 3, 4].map((i) => ({
        deviceName: "/dev/sdf",
        instanceId: `many-web-${i}_id`,
        volumeId: `many-web-${i}-data_id`,
        stopInstanceBeforeDetaching: true,
      })),
    );
    expect(optionsOf(ATTACHMENT, "many-web-3-data").deleteBeforeReplace).toBe(true);
  });

  test("each host's volume step finds its own volume, and waits for the attachment", async () => {
    for (const [i, host] of many.hosts.entries()) {
      expect(await valueOf(host.facts!.dataDevice)).toBe(ebsDevice(`many-web-${i + 1}-data_id`));
      const deps = await Promise.all((host.dependsOn ?? []).map((d) => valueOf(d.urn)));
      expect(deps.map((urn) => urn.split("::").pop())).toContain(`many-web-${i + 1}-data`);
    }
  });

  test("daily snapshots by Data Lifecycle Manager, 7 kept, of the volumes with the stack's tag, through a role DLM assumes", () => {
    const [policy] = ofType("aws:dlm/lifecyclePolicy:LifecyclePolicy", "many-");
    expect(policy.inputs).toMatchObject({
      state: "ENABLED",
      executionRoleArn: "arn:aws:iam::123456789012:role/many-snapshots-dlm",
      policyDetails: {
        resourceTypes: ["VOLUME"],
        targetTags: { "hbnb-stack:data": "many" },
        schedules: [
          {
            name: "daily",
            createRule: { interval: 24, intervalUnit: "HOURS", times: "03:00" },
            retainRule: { count: 7 },
            copyTags: true,
          },
        ],
      },
    });
    const [role] = ofType("aws:iam/role:Role", "many-");
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "dlm.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    const [grant] = ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "many-");
    expect(grant.inputs.policyArn).toBe("arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole");
  });
});

describe("load balancer", () => {
  test("the instances take HTTP from the load balancer's group only, SSH from the admins, nothing else", () => {
    expect(ingress("many-sg").map(rule)).toEqual([
      { group: "many-sg_id", port: 22, to: 22, from: "198.51.100.7/32" },
      { group: "many-sg_id", port: 80, to: 80, from: "many-lb-sg_id" },
    ]);
    // Without a load balancer, as before: HTTP and HTTPS from anywhere.
    expect(ingress("single-sg").map((r) => rule(r).from)).toEqual([
      "198.51.100.7/32",
      "0.0.0.0/0",
      "0.0.0.0/0",
      "::/0",
      "::/0",
    ]);
  });

  test("the load balancer takes HTTP from anywhere, and sends only HTTP to the instances' group", () => {
    expect(ingress("many-lb-sg").map(rule)).toEqual([
      { group: "many-lb-sg_id", port: 80, to: 80, from: "0.0.0.0/0" },
      { group: "many-lb-sg_id", port: 80, to: 80, from: "::/0" },
    ]);
    expect(egress("many-lb").map(rule)).toEqual([{ group: "many-lb-sg_id", port: 80, to: 80, from: "many-sg_id" }]);
    expect(egress("many-lb")[0].inputs.ipProtocol).toBe("tcp");
  });

  test("an internet-facing ALB in every zone's subnet, a listener on 80 forwarding to the servers", () => {
    const [alb] = ofType("aws:lb/loadBalancer:LoadBalancer", "many-");
    expect(alb.inputs).toMatchObject({
      loadBalancerType: "application",
      internal: false,
      securityGroups: ["many-lb-sg_id"],
      subnets: ["subnet-0aaa", "subnet-0bbb", "subnet-0ccc"],
    });
    const [listener] = ofType("aws:lb/listener:Listener", "many-");
    expect(listener.inputs).toMatchObject({
      loadBalancerArn: alb.state.arn,
      port: 80,
      protocol: "HTTP",
      defaultActions: [{ type: "forward", targetGroupArn: ofType("aws:lb/targetGroup:TargetGroup")[0].state.arn }],
    });
    expect(
      ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment", "many-").map((a) => [
        a.inputs.targetId,
        a.inputs.port,
      ]),
    ).toEqual([1, 2, 3, 4].map((i) => [`many-web-${i}_id`, 80]));
  });

  test("the target group checks the health path through Nginx and lets requests in flight finish", () => {
    const [group] = ofType("aws:lb/targetGroup:TargetGroup", "many-");
    expect(group.inputs).toMatchObject({
      vpcId: mocks.DEFAULT_VPC,
      port: 80,
      protocol: "HTTP",
      targetType: "instance",
      deregistrationDelay: 35,
      healthCheck: {
        path: "/api/v1/status",
        matcher: "200",
        port: "traffic-port",
        interval: 10,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      },
    });
  });

  test("one server without loadBalancer has no load balancer at all", () => {
    expect(single.loadBalancer).toBeUndefined();
    expect(mocks.resources.filter((r) => r.type.startsWith("aws:lb/") && r.name.startsWith("single"))).toEqual([]);
  });

  test("the health check of each layout: Nginx's drain-aware path, healthy as the switch's own check", () => {
    const privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n";
    const own = (raw: Record<string, string>) =>
      layout(parseSettings({ target: "existing", hosts: '["192.0.2.1"]', privateKey, ...raw }).app, []);
    expect(healthCheckOf(own({}))).toEqual({ path: "/-/balancer", matcher: "200" });
    const custom = own({
      layout: "custom",
      appSource: "files/app",
      services: '[{"name": "api", "app": "api:app", "routes": [{"path": "/v2/"}]}]',
    });
    expect(healthCheckOf(custom)).toEqual({ path: "/-/balancer", matcher: "200-499" });
  });
});

describe("Nginx behind the load balancer", () => {
  const privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n";
  const guardsOf = (raw: Record<string, string>) =>
    buildPlan(
      parseSettings({
        target: "aws",
        adminCidrs: '["203.0.113.7/32"]',
        publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIManyKey admin@example",
        privateKey,
        ...raw,
      }),
      buildBundle(),
      loadServerFiles(),
    ).configs.guards;
  const REAL_IP = "set_real_ip_from 172.31.0.0/16;\nreal_ip_header X-Forwarded-For;\nreal_ip_recursive on;\n";

  test("takes the client's address from X-Forwarded-For, trusted from the default VPC only", () => {
    expect(guardsOf({ instanceCount: "2", database: "rds" })).toContain(REAL_IP);
    expect(guardsOf({ loadBalancer: "true" })).toContain(REAL_IP);
  });

  test("a server without a load balancer trusts no X-Forwarded-For", () => {
    expect(guardsOf({})).not.toMatch(/real_ip/);
  });

  test("answers the load balancer's health path 503 while drained, else as the switch's check path", () => {
    const location = [
      "location = /-/balancer {",
      "    if (-f /run/hbnb-stack/drained) {",
      "        return 503;",
      "    }",
      "    rewrite ^ /api/v1/status last;",
      "}",
    ].join("\n");
    expect(guardsOf({ instanceCount: "2", database: "rds" })).toContain(location);
    expect(guardsOf({ loadBalancer: "true" })).toContain(location);
    expect(guardsOf({})).not.toContain("/-/balancer");
    // Servers you already have behind HAProxy: its own drain, through its runtime API.
    const haproxy = buildPlan(
      parseSettings({
        target: "existing",
        hosts: '["192.0.2.1","192.0.2.2"]',
        loadBalancerHost: "192.0.2.2",
        privateKey,
      }),
      buildBundle(),
      loadServerFiles(),
    ).configs.guards;
    expect(haproxy).not.toContain("/-/balancer");
  });
});
