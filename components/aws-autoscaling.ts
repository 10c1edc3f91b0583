import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { archOf, ubuntuAmi } from "./aws-ami";
import { Plan } from "../core/plan";
import { Autoscaling, UbuntuRelease } from "../core/settings";
import { bootPlan, BootSecret, bootUserData, sha256 } from "../core/user-data";

/** EC2's limit on user data, before base64 (docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html). */
export const USER_DATA_LIMIT = 16 * 1024;

/**
 * How long a new instance may take from launch to serving: boot, then the whole plan (packages
 * first) from its user data. The group's health checks and the refresh's warm-up wait that long.
 */
export const BOOT_SECONDS = 600;

export interface AwsAutoscalingArgs extends Autoscaling {
  plan: Plan;
  /** The secrets the plan's steps need, by name (the stack's RandomPasswords). */
  secrets: Record<string, pulumi.Input<string>>;
  ubuntuRelease: UbuntuRelease;
  instanceType: string;
  rootVolumeSize: number;
  sshPort: number;
  /** Set up by the user data as on the instances deployed over SSH (core/cloud-config.ts). */
  sshUser: string;
  publicKey: string;
  /** The instances' security groups (components/aws-front.ts: HTTP from the load balancer only). */
  securityGroupIds: pulumi.Input<string>[];
  /** The load balancer's target group: the group registers its instances and takes the ELB's health checks. */
  targetGroupArns: pulumi.Input<string>[];
  tags: Record<string, string>;
}

/**
 * An Auto Scaling Group whose instances run the stack's plan at first boot (core/user-data.ts,
 * files/boot/boot.py): no SSH, no deploy step. The release archive and the boot plan are objects
 * of a private bucket, the secrets SSM SecureStrings, and each instance reads exactly these with
 * its role. The launch template's user data names the boot plan by sha256, so a new release is a
 * new template version, which the group's instance refresh rolls out; target tracking on the
 * group's average CPU adds and removes instances.
 */
export class AwsAutoscaling extends pulumi.ComponentResource {
  public readonly groupName: pulumi.Output<string>;
  public readonly bucketName: pulumi.Output<string>;
  public readonly launchTemplateVersion: pulumi.Output<number>;

  constructor(name: string, args: AwsAutoscalingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hbnb-stack:aws:Autoscaling", name, {}, opts);
    const parent = { parent: this };
    const tagged = (resourceName: string) => ({ ...args.tags, Name: resourceName });
    const region = aws.getRegionOutput({}, parent).region;

    // The release store: private, encrypted at rest, versioned (an overwritten or deleted object
    // can be brought back).
    const bucket = new aws.s3.Bucket(
      `${name}-releases`,
      { forceDestroy: true, tags: tagged(`${name}-releases`) },
      parent,
    );
    const child = { parent: bucket };
    const privacy = new aws.s3.BucketPublicAccessBlock(
      `${name}-releases-private`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-releases-encryption`,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      child,
    );
    new aws.s3.BucketVersioning(
      `${name}-releases-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      child,
    );

    const planText = bootPlan(args.plan);
    const planKey = `plans/${sha256(planText)}.json`;
    const objects = [
      new aws.s3.BucketObjectv2(
        `${name}-boot-plan`,
        { bucket: bucket.id, key: planKey, content: planText, contentType: "application/json" },
        { parent: bucket, dependsOn: [privacy] },
      ),
    ];
    const upload = args.plan.steps.find((step) => step.upload)?.upload;
    const archiveKey = `releases/${args.plan.release}.tar.gz`;
    if (upload) {
      objects.push(
        new aws.s3.BucketObjectv2(
          `${name}-release`,
          {
            bucket: bucket.id,
            key: archiveKey,
            source: new pulumi.asset.FileAsset(upload.source),
            contentType: "application/gzip",
          },
          { parent: bucket, dependsOn: [privacy] },
        ),
      );
    }

    // The secrets the steps need, as SecureStrings (encrypted with the account's aws/ssm key,
    // which SSM uses on behalf of any principal allowed ssm:GetParameter): never in the user data.
    const secretNames = [...new Set(args.plan.steps.flatMap((step) => step.secrets))];
    const parameters = secretNames.map((secret) => {
      const value = args.secrets[secret];
      if (value === undefined) throw new Error(`the plan needs the secret ${secret}, which the stack does not provide`);
      return new aws.ssm.Parameter(
        `${name}-${secret}`,
        { name: `/${name}/${secret}`, type: "SecureString", value: pulumi.secret(value), tags: args.tags },
        parent,
      );
    });

    // The instances' role: read the stack's objects and parameters, nothing else.
    const role = new aws.iam.Role(
      `${name}-instance`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags: args.tags,
      },
      parent,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-instance-reads`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "ReleaseAndBootPlan",
              Effect: "Allow",
              Action: "s3:GetObject",
              Resource: objects.map((object) => pulumi.interpolate`${bucket.arn}/${object.key}`),
            },
            ...(parameters.length > 0
              ? [
                  {
                    Sid: "Secrets",
                    Effect: "Allow",
                    Action: "ssm:GetParameter",
                    Resource: parameters.map((p) => p.arn),
                  },
                ]
              : []),
          ],
        }),
      },
      { parent: role },
    );
    const profile = new aws.iam.InstanceProfile(
      `${name}-instance`,
      { role: role.name, tags: args.tags },
      { parent: role },
    );

    const userData = pulumi
      .all([bucket.bucket, region, parameters.map((p) => p.name)])
      .apply(([bucketName, regionName, parameterNames]) => {
        const s3 = (key: string) => ({ s3: { bucket: bucketName, key, region: regionName } });
        const secrets: Record<string, BootSecret> = Object.fromEntries(
          secretNames.map((secret, i) => [secret, { ssm: { name: parameterNames[i], region: regionName } }]),
        );
        const text = bootUserData(args.plan, {
          plan: s3(planKey),
          ...(upload && { archive: s3(archiveKey) }),
          secrets,
          ssh: { sshPort: args.sshPort, sshUser: args.sshUser, ubuntuRelease: args.ubuntuRelease },
        });
        if (Buffer.byteLength(text) > USER_DATA_LIMIT)
          throw new Error(`the user data is ${Buffer.byteLength(text)} bytes; EC2 takes at most ${USER_DATA_LIMIT}`);
        return Buffer.from(text).toString("base64");
      });

    const key = new aws.ec2.KeyPair(`${name}-key`, { publicKey: args.publicKey, tags: tagged(`${name}-key`) }, parent);
    const template = new aws.ec2.LaunchTemplate(
      `${name}-web`,
      {
        imageId: ubuntuAmi(args.ubuntuRelease, archOf(args.instanceType), parent),
        instanceType: args.instanceType,
        keyName: key.keyName,
        userData,
        iamInstanceProfile: { arn: profile.arn },
        vpcSecurityGroupIds: args.securityGroupIds,
        // IMDSv2 only, one hop: the role's credentials stay on the instance itself.
        metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [
          {
            // The root device of Canonical's images.
            deviceName: "/dev/sda1",
            ebs: { volumeType: "gp3", volumeSize: args.rootVolumeSize, encrypted: "true", deleteOnTermination: "true" },
          },
        ],
        // New instances launch from the newest version: the scaling policy's too.
        updateDefaultVersion: true,
        tagSpecifications: ["instance", "volume"].map((resourceType) => ({
          resourceType,
          tags: tagged(`${name}-web`),
        })),
        tags: args.tags,
      },
      // The objects and the role's reads exist before any instance boots and asks for them.
      { parent: this, dependsOn: [...objects, rolePolicy] },
    );

    const vpc = aws.ec2.getVpcOutput({ default: true }, parent);
    const subnets = aws.ec2.getSubnetsOutput(
      {
        filters: [
          { name: "vpc-id", values: [vpc.id] },
          { name: "default-for-az", values: ["true"] },
        ],
      },
      parent,
    );
    const targetGroups = args.targetGroupArns;
    const group = new aws.autoscaling.Group(
      `${name}-web`,
      {
        vpcZoneIdentifiers: subnets.ids,
        minSize: args.min,
        maxSize: args.max,
        // The version by number, not "$Latest": the provider starts an instance refresh when
        // launchTemplate changes, and never for "$Latest" (@pulumi/aws, types/input.d.ts,
        // GroupInstanceRefresh.triggers).
        launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
        targetGroupArns: targetGroups,
        // Behind a load balancer an instance is healthy when it serves, not merely when it runs.
        healthCheckType: targetGroups.length > 0 ? "ELB" : "EC2",
        healthCheckGracePeriod: BOOT_SECONDS,
        // A new template version (a new release, any change of a step) replaces the instances:
        // new ones first (up to twice the capacity), an old one goes only once a new one is
        // healthy, so the group never serves with fewer instances than before.
        instanceRefresh: {
          strategy: "Rolling",
          preferences: {
            minHealthyPercentage: 100,
            maxHealthyPercentage: 200,
            instanceWarmup: String(BOOT_SECONDS),
          },
        },
        waitForCapacityTimeout: `${BOOT_SECONDS + 300}s`,
        tags: Object.entries(tagged(`${name}-web`)).map(([k, value]) => ({ key: k, value, propagateAtLaunch: true })),
      },
      { parent: this },
    );
    new aws.autoscaling.Policy(
      `${name}-cpu`,
      {
        autoscalingGroupName: group.name,
        policyType: "TargetTrackingScaling",
        estimatedInstanceWarmup: BOOT_SECONDS,
        targetTrackingConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
          targetValue: args.cpuTarget,
        },
      },
      { parent: group },
    );

    this.groupName = group.name;
    this.bucketName = bucket.bucket;
    this.launchTemplateVersion = template.latestVersion;
    this.registerOutputs({
      groupName: this.groupName,
      bucketName: this.bucketName,
      launchTemplateVersion: this.launchTemplateVersion,
    });
  }
}
