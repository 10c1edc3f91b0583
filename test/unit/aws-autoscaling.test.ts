import type { AwsAutoscalingArgs } from "../../components/aws-autoscaling";
import * as mocks from "./mocks";
import { ofType, valueOf } from "./mocks";
import { planOf } from "./plan-fixture";

/**
 * The autoscaling component behind a load balancer (the target group and the instances' security
 * group come from the load balancer's component), and with a pinned release: what the program's
 * own test (autoscaling-program.test.ts) does not set.
 */
const TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/hbnb/0123456789abcdef";
const args = (name: string): AwsAutoscalingArgs => ({
  min: 1,
  max: 3,
  cpuTarget: 50,
  plan: planOf({}),
  secrets: { flaskSecretKey: "k", apiToken: "t" },
  ubuntuRelease: "24.04",
  instanceType: "t4g.small",
  rootVolumeSize: 16,
  sshPort: 22,
  sshUser: "ubuntu",
  publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIScalingKey admin@example",
  securityGroupIds: ["sg-0fromtheloadbalancer"],
  targetGroupArns: [TARGET_GROUP],
  tags: { Project: "hbnb-stack", name },
});

beforeAll(async () => {
  await mocks.setupMocks();
  const { AwsAutoscaling } = await import("../../components/aws-autoscaling");
  const behind = new AwsAutoscaling("behind", args("behind"));
  const pinned = new AwsAutoscaling("pinned", { ...args("pinned"), plan: planOf({ release: "r-0123456789ab" }) });
  await Promise.all(
    [behind, pinned].map((group) => Promise.all([valueOf(group.groupName), valueOf(group.bucketName)])),
  );
});

test("behind a load balancer: registered in its target group, healthy when it serves there, in its security group", () => {
  const [group] = ofType("aws:autoscaling/group:Group", "behind");
  expect(group.inputs).toMatchObject({
    targetGroupArns: [TARGET_GROUP],
    healthCheckType: "ELB",
    minSize: 1,
    maxSize: 3,
  });
  const [template] = ofType("aws:ec2/launchTemplate:LaunchTemplate", "behind");
  expect(template.inputs.vpcSecurityGroupIds).toEqual(["sg-0fromtheloadbalancer"]);
  expect(ofType("aws:ec2/securityGroup:SecurityGroup", "behind")).toEqual([]);
  expect(ofType("aws:autoscaling/policy:Policy", "behind")[0].inputs.targetTrackingConfiguration.targetValue).toBe(50);
});

test("a pinned release uploads no archive: the bucket holds the boot plan only, and the role reads only it", () => {
  expect(ofType("aws:s3/bucketObjectv2:BucketObjectv2", "pinned").map((o) => o.name)).toEqual(["pinned-boot-plan"]);
  const policy = JSON.parse(ofType("aws:iam/rolePolicy:RolePolicy", "pinned")[0].inputs.policy);
  expect(policy.Statement[0].Resource).toEqual([
    expect.stringMatching(/^arn:aws:s3:::pinned-releases-\d+\/plans\/[0-9a-f]{64}\.json$/),
  ]);
});

test("a Graviton type gets Canonical's arm64 image", () => {
  const lookups = mocks.invokes.filter((i) => i.token === "aws:ec2/getAmi:getAmi");
  expect(lookups.map((l) => l.args.filters[0].values[0])).toEqual([
    "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*",
    "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*",
  ]);
});
