import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface WebFirewallArgs {
  /** SSH is open to these IPv4 and IPv6 CIDRs only. */
  adminCidrs: string[];
  sshPort: number;
  tags: Record<string, string>;
  /**
   * The load balancer's security group, when the servers sit behind one: HTTP then comes from
   * it alone, and neither HTTP nor HTTPS from anywhere.
   */
  httpFrom?: pulumi.Input<string>;
}

export interface WebFirewall {
  group: aws.ec2.SecurityGroup;
  /** Every rule, so that SSH is attempted only once the rules exist. */
  rules: pulumi.Resource[];
}

const ANYWHERE = { v4: "0.0.0.0/0", v6: "::/0" } as const;

const family = (cidr: string) => (cidr.includes(":") ? "v6" : "v4");

const destination = (cidr: string) => (family(cidr) === "v6" ? { cidrIpv6: cidr } : { cidrIpv4: cidr });

/**
 * The security group of the web hosts: SSH from the admins, HTTP and HTTPS from
 * anyone (or HTTP from the load balancer only), all egress. Each rule is its own resource (the provider's recommended
 * form, unlike inline rules), with a description, so a console reader knows why
 * a port is open.
 */
export function webFirewall(name: string, args: WebFirewallArgs, opts?: pulumi.CustomResourceOptions): WebFirewall {
  const group = new aws.ec2.SecurityGroup(
    name,
    {
      description: args.httpFrom
        ? "hbnb-stack web hosts: SSH from admins, HTTP from the load balancer"
        : "hbnb-stack web hosts: SSH from admins, HTTP and HTTPS from anywhere",
      tags: { ...args.tags, Name: name },
    },
    opts,
  );
  const child = { parent: group };
  const ingress = (ruleName: string, port: number, cidr: string, description: string) =>
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-${ruleName}`,
      {
        securityGroupId: group.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        ...destination(cidr),
        description,
        tags: args.tags,
      },
      child,
    );

  // Named after the CIDR, not its position, so adding or removing one admin
  // range leaves the other rules alone.
  const ssh = [...new Set(args.adminCidrs)].map((cidr) =>
    ingress(
      `ssh-${family(cidr)}-${cidr.replace(/[^0-9a-zA-Z]/g, "-")}`,
      args.sshPort,
      cidr,
      `SSH from admin range ${cidr}`,
    ),
  );
  // Behind a load balancer, a visitor reaches the servers through it alone: a request straight to
  // a server would pass by its health checks and its draining.
  const web = args.httpFrom
    ? [
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-http-from-load-balancer`,
          {
            securityGroupId: group.id,
            ipProtocol: "tcp",
            fromPort: 80,
            toPort: 80,
            referencedSecurityGroupId: args.httpFrom,
            description: "HTTP from the load balancer only",
            tags: args.tags,
          },
          child,
        ),
      ]
    : (["v4", "v6"] as const).flatMap((v) => [
        ingress(`http-${v}`, 80, ANYWHERE[v], `HTTP from anywhere (IP${v})`),
        ingress(`https-${v}`, 443, ANYWHERE[v], `HTTPS from anywhere (IP${v})`),
      ]);
  // AWS's default allow-all egress is removed by the provider when it creates
  // the group, so apt, pip and certificate renewals need these.
  const egress = (["v4", "v6"] as const).map(
    (v) =>
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-egress-${v}`,
        {
          securityGroupId: group.id,
          ipProtocol: "-1",
          ...destination(ANYWHERE[v]),
          description: `All outbound traffic (IP${v})`,
          tags: args.tags,
        },
        child,
      ),
  );
  return { group, rules: [...ssh, ...web, ...egress] };
}
