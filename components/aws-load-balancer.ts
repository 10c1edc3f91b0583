import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Layout } from "../core/layout";
import { checkPath } from "../core/plan";

/**
 * How long the load balancer lets a server's requests in flight finish once it stops sending it
 * new ones (a server leaving the group, or replaced): 35 s, longer than any request can last,
 * Gunicorn's `timeout = 30` (files/gunicorn/gunicorn.conf.py.njk) killing a worker that takes
 * longer, and well over Nginx's 10 s client timeouts (files/nginx/guards.conf.njk).
 */
export const DEREGISTRATION_DELAY = 35;

/** What the target group asks each server, through Nginx on port 80. */
export interface HealthCheck {
  path: string;
  /** The HTTP codes that count as healthy, as ELB takes them ("200", "200-499"). */
  matcher: string;
}

/**
 * The health check of a layout: the path the switch step itself asks Nginx for on each server
 * (core/plan.ts, checkPath), so a server the deploy found healthy is healthy to the load
 * balancer by the same rule. The bundled app's /api/v1/status answers 200 from the app; a
 * user's app is asked for its first route, which may be a prefix with no page of its own: any
 * answer of the app (2xx to 4xx) counts, as in the switch, while Nginx's 502 or 504 (no app
 * behind the socket) does not. The stack's own /-/ is answered 404 by Nginx to everyone outside
 * the server (files/nginx), the load balancer too: it cannot be the path.
 */
export function healthCheckOf(l: Layout): HealthCheck {
  return { path: checkPath(l), matcher: l.layout === "bundled" ? "200" : "200-499" };
}

export interface WebLoadBalancerArgs {
  /** The load balancer's own group (loadBalancerGroup), made before the servers' group. */
  group: aws.ec2.SecurityGroup;
  /** The servers' security group: the only place the load balancer sends traffic. */
  serversGroupId: pulumi.Input<string>;
  vpcId: pulumi.Input<string>;
  /** Subnets in at least two availability zones (an ALB's own rule). */
  subnetIds: pulumi.Input<string[]>;
  instanceIds: pulumi.Input<string>[];
  healthCheck: HealthCheck;
  tags: Record<string, string>;
}

const ANYWHERE = [
  ["v4", { cidrIpv4: "0.0.0.0/0" }],
  ["v6", { cidrIpv6: "::/0" }],
] as const;

/**
 * The load balancer's security group: HTTP from anywhere in; out, only HTTP to the servers
 * (webLoadBalancer adds that rule once their group exists). Only HTTP: the stack has no
 * certificate, so no HTTPS listener, and a port with nothing behind it stays closed.
 */
export function loadBalancerGroup(
  name: string,
  tags: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
): aws.ec2.SecurityGroup {
  const group = new aws.ec2.SecurityGroup(
    name,
    { description: "hbnb-stack load balancer: HTTP from anywhere", tags: { ...tags, Name: name } },
    opts,
  );
  for (const [v, cidr] of ANYWHERE) {
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-http-${v}`,
      {
        securityGroupId: group.id,
        ipProtocol: "tcp",
        fromPort: 80,
        toPort: 80,
        ...cidr,
        description: `HTTP from anywhere (IP${v})`,
        tags,
      },
      { parent: group },
    );
  }
  return group;
}

export interface WebLoadBalancer {
  loadBalancer: aws.lb.LoadBalancer;
  targetGroup: aws.lb.TargetGroup;
  listener: aws.lb.Listener;
  attachments: aws.lb.TargetGroupAttachment[];
}

/**
 * An internet-facing Application Load Balancer in the default VPC's subnets (one per zone), its
 * listener on port 80 and one target group of the servers, each checked on the stack's health
 * path through Nginx: a server that fails it (Nginx down, the app's socket not answering) gets
 * no requests until it passes again.
 */
export function webLoadBalancer(
  name: string,
  args: WebLoadBalancerArgs,
  opts: pulumi.CustomResourceOptions,
): WebLoadBalancer {
  const egress = new aws.vpc.SecurityGroupEgressRule(
    `${name}-to-servers`,
    {
      securityGroupId: args.group.id,
      ipProtocol: "tcp",
      fromPort: 80,
      toPort: 80,
      referencedSecurityGroupId: args.serversGroupId,
      description: "HTTP to the web servers only",
      tags: args.tags,
    },
    { parent: args.group },
  );
  const loadBalancer = new aws.lb.LoadBalancer(
    name,
    {
      loadBalancerType: "application",
      internal: false,
      securityGroups: [args.group.id],
      subnets: args.subnetIds,
      // A request with a malformed header is refused at the load balancer, not passed on.
      dropInvalidHeaderFields: true,
      tags: { ...args.tags, Name: name },
    },
    { ...opts, dependsOn: [egress] },
  );
  const targetGroup = new aws.lb.TargetGroup(
    `${name}-web`,
    {
      vpcId: args.vpcId,
      port: 80,
      protocol: "HTTP",
      targetType: "instance",
      deregistrationDelay: DEREGISTRATION_DELAY,
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: args.healthCheck.path,
        matcher: args.healthCheck.matcher,
        // Two failures 10 s apart take a server out (within about 20 s); two passes bring it back.
        interval: 10,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      },
      tags: { ...args.tags, Name: `${name}-web` },
    },
    opts,
  );
  const listener = new aws.lb.Listener(
    `${name}-http`,
    {
      loadBalancerArn: loadBalancer.arn,
      port: 80,
      protocol: "HTTP",
      defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
      tags: args.tags,
    },
    opts,
  );
  const attachments = args.instanceIds.map(
    (instanceId, index) =>
      new aws.lb.TargetGroupAttachment(
        `${name}-web-${index + 1}`,
        { targetGroupArn: targetGroup.arn, targetId: instanceId, port: 80 },
        opts,
      ),
  );
  return { loadBalancer, targetGroup, listener, attachments };
}
