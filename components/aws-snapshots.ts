import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface SnapshotPolicyArgs {
  /** The tag (one key and value) that marks the volumes to snapshot. */
  targetTag: Record<string, string>;
  /** How many daily snapshots of each volume are kept. */
  keep: number;
  tags: Record<string, string>;
}

/**
 * Daily snapshots of the data volumes by Amazon Data Lifecycle Manager, which finds them by their
 * tag: a replaced or added volume is covered with no change here. DLM acts through a role it may
 * assume, with AWS's managed policy for EBS snapshot policies.
 */
export function snapshotPolicy(
  name: string,
  args: SnapshotPolicyArgs,
  opts: pulumi.CustomResourceOptions,
): aws.dlm.LifecyclePolicy {
  const role = new aws.iam.Role(
    `${name}-dlm`,
    {
      description: "Lets Data Lifecycle Manager snapshot hbnb-stack's data volumes",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "dlm.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags: args.tags,
    },
    opts,
  );
  const policy = new aws.iam.RolePolicyAttachment(
    `${name}-dlm`,
    { role: role.name, policyArn: aws.iam.ManagedPolicy.AWSDataLifecycleManagerServiceRole },
    opts,
  );
  return new aws.dlm.LifecyclePolicy(
    `${name}-daily`,
    {
      description: "hbnb-stack: daily snapshots of the data volumes",
      executionRoleArn: role.arn,
      state: "ENABLED",
      policyDetails: {
        resourceTypes: ["VOLUME"],
        targetTags: args.targetTag,
        schedules: [
          {
            name: "daily",
            // Once a day, at a quiet hour (UTC); DLM starts within the hour after it.
            createRule: { interval: 24, intervalUnit: "HOURS", times: "03:00" },
            retainRule: { count: args.keep },
            // A snapshot carries its volume's tags: whose and which stack's it is.
            copyTags: true,
          },
        ],
      },
      tags: args.tags,
    },
    { ...opts, dependsOn: [policy] },
  );
}
