import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The account's default VPC and its default subnets, one per availability zone. */
export interface DefaultNetwork {
  vpcId: pulumi.Output<string>;
  /** Its default subnets' ids, sorted by their availability zone's name. */
  subnetIds: pulumi.Output<string[]>;
}

/**
 * The default VPC (every account has one per region unless deleted) and its default-for-az
 * subnets, each in its own availability zone. Sorted by zone name, so the server of index i
 * lands in the same zone on every run: its data volume lives there (an EBS volume is attached
 * only to an instance of its own zone).
 */
export function defaultNetwork(opts: pulumi.InvokeOutputOptions): DefaultNetwork {
  const vpc = aws.ec2.getVpcOutput({ default: true }, opts);
  const ids = aws.ec2.getSubnetsOutput(
    {
      filters: [
        { name: "vpc-id", values: [vpc.id] },
        { name: "default-for-az", values: ["true"] },
      ],
    },
    opts,
  ).ids;
  const subnets = ids.apply((list) =>
    pulumi
      .all(list.map((id) => aws.ec2.getSubnetOutput({ id }, opts)))
      .apply((found) =>
        found
          .map((s) => ({ id: s.id, zone: s.availabilityZone }))
          .sort((a, b) => a.zone.localeCompare(b.zone) || a.id.localeCompare(b.id)),
      ),
  );
  return {
    vpcId: vpc.id,
    subnetIds: subnets.apply((s) => s.map((x) => x.id)),
  };
}
