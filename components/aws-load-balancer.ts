import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Layout } from "../core/layout";
import { HEALTH_CHECK } from "../core/alb-drain";
import { BALANCER_CHECK_PATH } from "../core/plan";
import { isZoneId } from "../core/settings";

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
 * The health check of a layout: Nginx's BALANCER_CHECK_PATH (files/nginx: answered 503 while the
 * server is drained, else as the path the switch step itself asks for, core/plan.ts checkPath),
 * so a server the deploy found healthy is healthy to the load balancer by the same rule. The
 * bundled app's /api/v1/status answers 200 from the app; a user's app is asked for its first
 * route, which may be a prefix with no page of its own: any answer of the app (2xx to 4xx)
 * counts, as in the switch, while Nginx's 502 or 504 (no app behind the socket) and its 503
 * (drained) do not.
 */
export function healthCheckOf(l: Layout): HealthCheck {
  return { path: BALANCER_CHECK_PATH, matcher: l.layout === "bundled" ? "200" : "200-499" };
}

/**
 * AWS's recommended security policy for an HTTPS listener (the console's default): TLS 1.3 and
 * 1.2 with forward secrecy only, and hybrid post-quantum key exchange for clients that offer it
 * (docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html). The
 * API's own default, ELBSecurityPolicy-2016-08, still takes TLS 1.0: it is set explicitly.
 */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";

/** HTTPS at the load balancer: the site's names and the Route 53 zone they are in (by id or name). */
export interface BalancerHttps {
  domains: string[];
  hostedZone: string;
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
  /** Set: a certificate for the domains, HTTPS on 443, HTTP redirected to it. */
  https?: BalancerHttps;
  tags: Record<string, string>;
}

const ANYWHERE = [
  ["v4", { cidrIpv4: "0.0.0.0/0" }],
  ["v6", { cidrIpv6: "::/0" }],
] as const;

/**
 * The load balancer's security group: HTTP (and, with a certificate, HTTPS) from anywhere in;
 * out, only HTTP to the servers (webLoadBalancer adds that rule once their group exists). 443
 * only with HTTPS: a port with no listener behind it stays closed.
 */
export function loadBalancerGroup(
  name: string,
  tags: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
  https = false,
): aws.ec2.SecurityGroup {
  const group = new aws.ec2.SecurityGroup(
    name,
    {
      description: https
        ? "hbnb-stack load balancer: HTTP and HTTPS from anywhere"
        : "hbnb-stack load balancer: HTTP from anywhere",
      tags: { ...tags, Name: name },
    },
    opts,
  );
  const ports = https
    ? ([
        ["http", 80, "HTTP"],
        ["https", 443, "HTTPS"],
      ] as const)
    : ([["http", 80, "HTTP"]] as const);
  for (const [protocol, port, label] of ports) {
    for (const [v, cidr] of ANYWHERE) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-${protocol}-${v}`,
        {
          securityGroupId: group.id,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          ...cidr,
          description: `${label} from anywhere (IP${v})`,
          tags,
        },
        { parent: group },
      );
    }
  }
  return group;
}

export interface WebLoadBalancer {
  loadBalancer: aws.lb.LoadBalancer;
  targetGroup: aws.lb.TargetGroup;
  /** Port 80: forwards to the servers, or, with HTTPS, redirects to it. */
  listener: aws.lb.Listener;
  /** Port 443, with HTTPS. */
  httpsListener?: aws.lb.Listener;
  attachments: aws.lb.TargetGroupAttachment[];
  /** The site's address: https://<first domain>/ with HTTPS, else http://<the load balancer's DNS name>/. */
  url: pulumi.Output<string>;
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
        ...HEALTH_CHECK,
      },
      tags: { ...args.tags, Name: `${name}-web` },
    },
    opts,
  );
  const forward = [{ type: "forward", targetGroupArn: targetGroup.arn }];
  const certificate = args.https && validatedCertificate(name, args.https, loadBalancer, opts);
  const listener = new aws.lb.Listener(
    `${name}-http`,
    {
      loadBalancerArn: loadBalancer.arn,
      port: 80,
      protocol: "HTTP",
      // With HTTPS, every HTTP request is sent there, path and query kept ("#{path}" and
      // "#{query}" are the defaults of a redirect action): a permanent 301.
      defaultActions: certificate
        ? [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]
        : forward,
      tags: args.tags,
    },
    opts,
  );
  const httpsListener =
    certificate &&
    new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: loadBalancer.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: TLS_POLICY,
        // The validation's ARN, not the certificate's: the listener waits until ACM issued it.
        certificateArn: certificate,
        defaultActions: forward,
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
  const url = args.https
    ? pulumi.output(`https://${args.https.domains[0]}/`)
    : pulumi.interpolate`http://${loadBalancer.dnsName}/`;
  return { loadBalancer, targetGroup, listener, ...(httpsListener && { httpsListener }), attachments, url };
}

/**
 * An ACM certificate for the domains, validated through DNS: ACM names one CNAME record per
 * name, which the stack writes in the hosted zone; the CertificateValidation waits until ACM has
 * issued the certificate (its ARN, once issued). Each domain also gets an alias A record to the
 * load balancer in the zone, so https://<domain>/ reaches it. ACM gives two names the same
 * record when one is the wildcard of the other: allowOverwrite lets the second write it again.
 */
function validatedCertificate(
  name: string,
  https: BalancerHttps,
  loadBalancer: aws.lb.LoadBalancer,
  opts: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
  const zone = aws.route53.getZoneOutput(
    isZoneId(https.hostedZone) ? { zoneId: https.hostedZone } : { name: https.hostedZone, privateZone: false },
    opts,
  );
  const [first, ...others] = https.domains;
  const certificate = new aws.acm.Certificate(
    `${name}-certificate`,
    {
      domainName: first,
      ...(others.length > 0 && { subjectAlternativeNames: others }),
      validationMethod: "DNS",
    },
    opts,
  );
  const records = https.domains.map((domain, index) => {
    const option = certificate.domainValidationOptions.apply((options) => {
      const found = options.find((o) => o.domainName === domain);
      if (!found) throw new Error(`ACM gave no validation record for ${domain}`);
      return found;
    });
    return new aws.route53.Record(
      `${name}-validation-${index + 1}`,
      {
        zoneId: zone.zoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      },
      opts,
    );
  });
  https.domains.forEach(
    (domain, index) =>
      new aws.route53.Record(
        `${name}-alias-${index + 1}`,
        {
          zoneId: zone.zoneId,
          name: domain,
          type: "A",
          aliases: [{ name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true }],
        },
        opts,
      ),
  );
  const validation = new aws.acm.CertificateValidation(
    `${name}-certificate`,
    { certificateArn: certificate.arn, validationRecordFqdns: records.map((r) => r.fqdn) },
    opts,
  );
  return validation.certificateArn;
}
