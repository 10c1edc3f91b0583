import * as pulumi from "@pulumi/pulumi";
import { webFirewall } from "./aws-firewall";
import { BalancerHttps, HealthCheck, loadBalancerGroup, WebLoadBalancer, webLoadBalancer } from "./aws-load-balancer";
import { defaultNetwork } from "./aws-network";

export interface AwsFrontArgs {
  adminCidrs: string[];
  sshPort: number;
  healthCheck: HealthCheck;
  https?: BalancerHttps;
  tags: Record<string, string>;
}

/**
 * What an Auto Scaling Group sits behind (components/aws-autoscaling.ts): the load balancer,
 * its target group (which the group registers its instances in) and the instances' security
 * group, which takes HTTP from the load balancer alone and SSH from the admins. Made before
 * the group, so that the shared database (components/aws-database.ts) can admit that security
 * group, and its endpoint reach the group's secrets.
 */
export class AwsFront extends pulumi.ComponentResource {
  /** The instances' security group. */
  public readonly securityGroupId: pulumi.Output<string>;
  /** The default VPC's subnets, one per zone. */
  public readonly subnetIds: pulumi.Output<string[]>;
  public readonly loadBalancer: WebLoadBalancer;

  constructor(name: string, args: AwsFrontArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hbnb-stack:aws:Front", name, {}, opts);
    const network = defaultNetwork({ parent: this });
    const balancerGroup = loadBalancerGroup(`${name}-lb-sg`, args.tags, { parent: this }, args.https !== undefined);
    const firewall = webFirewall(
      `${name}-sg`,
      { adminCidrs: args.adminCidrs, sshPort: args.sshPort, tags: args.tags, httpFrom: balancerGroup.id },
      { parent: this },
    );
    this.loadBalancer = webLoadBalancer(
      `${name}-lb`,
      {
        group: balancerGroup,
        serversGroupId: firewall.group.id,
        vpcId: network.vpcId,
        subnetIds: network.subnetIds,
        // The group registers its instances itself (its targetGroupArns).
        instanceIds: [],
        healthCheck: args.healthCheck,
        ...(args.https && { https: args.https }),
        tags: args.tags,
      },
      { parent: this },
    );
    this.securityGroupId = firewall.group.id;
    this.subnetIds = network.subnetIds;
    this.registerOutputs({ securityGroupId: this.securityGroupId, url: this.loadBalancer.url });
  }
}
