import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

/**
 * The guardrails of hbnb-stack, as CrossGuard policies: what no stack of this project (or a
 * change to one) may create, whatever its config says. `pulumi preview --policy-pack policy`
 * checks every resource against them before anything is created. Kept apart from index.ts so
 * that unit tests call each rule's validateResource directly.
 */

/** The pack's config (`--policy-pack-config`): the SSH ports to guard, 22 by default. */
export interface GuardrailsConfig {
  sshPorts: number[];
}

export const CONFIG_SCHEMA = {
  sshPorts: {
    type: "array",
    items: { type: "integer", minimum: 1, maximum: 65535 },
    default: [22],
    description: "SSH ports that must never be open to the whole internet (the stack's sshPort).",
  },
} as const;

const WORLD = ["0.0.0.0/0", "::/0"];

/** Whether a rule for PROTOCOL over FROM..TO reaches PORT (protocol -1 / "all" is every port). */
function covers(protocol: string | undefined, from: number | undefined, to: number | undefined, port: number) {
  const p = String(protocol ?? "").toLowerCase();
  if (p === "-1" || p === "all") return true;
  if (p !== "tcp" && p !== "6") return false;
  return (from ?? 0) <= port && port <= (to ?? from ?? 0);
}

function sshPortsOf(config: Partial<GuardrailsConfig> | undefined): number[] {
  return config?.sshPorts?.length ? config.sshPorts : [22];
}

function reportWorldSsh(
  ports: number[],
  rule: { protocol?: string; fromPort?: number; toPort?: number; cidrs: (string | undefined)[] },
  where: string,
  reportViolation: ReportViolation,
): void {
  const open = rule.cidrs.filter((cidr): cidr is string => cidr !== undefined && WORLD.includes(cidr));
  for (const port of ports) {
    if (open.length > 0 && covers(rule.protocol, rule.fromPort, rule.toPort, port)) {
      reportViolation(
        `${where} opens SSH (port ${port}) to the whole internet (${open.join(", ")}); allow only the admins' addresses (setting adminCidrs)`,
      );
    }
  }
}

export const noWorldSsh: ResourceValidationPolicy = {
  name: "no-ssh-open-to-the-world",
  description: "No security group rule lets the whole internet (0.0.0.0/0 or ::/0) reach SSH.",
  enforcementLevel: "mandatory",
  configSchema: { properties: CONFIG_SCHEMA },
  validateResource: [
    // Rules written inline in the group.
    validateResourceOfType(aws.ec2.SecurityGroup, (group, args, reportViolation) => {
      const ports = sshPortsOf(args.getConfig<GuardrailsConfig>());
      for (const rule of group.ingress ?? []) {
        reportWorldSsh(
          ports,
          { ...rule, cidrs: [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])] },
          "an inline ingress rule",
          reportViolation,
        );
      }
    }),
    // Rules as resources of their own (what the stack itself uses).
    validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, args, reportViolation) => {
      reportWorldSsh(
        sshPortsOf(args.getConfig<GuardrailsConfig>()),
        {
          protocol: rule.ipProtocol,
          fromPort: rule.fromPort,
          toPort: rule.toPort,
          cidrs: [rule.cidrIpv4, rule.cidrIpv6],
        },
        "the ingress rule",
        reportViolation,
      );
    }),
    validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, args, reportViolation) => {
      if (rule.type !== "ingress") return;
      reportWorldSsh(
        sshPortsOf(args.getConfig<GuardrailsConfig>()),
        { ...rule, cidrs: [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])] },
        "the ingress rule",
        reportViolation,
      );
    }),
  ],
};

export const encryptedVolumes: ResourceValidationPolicy = {
  name: "volumes-encrypted",
  description: "Every EBS volume (an instance's root and extra volumes, standalone volumes) is encrypted.",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.ec2.Instance, (instance, _, reportViolation) => {
      if (instance.rootBlockDevice?.encrypted !== true) {
        reportViolation("the instance's root volume is not encrypted; set rootBlockDevice.encrypted: true");
      }
      for (const device of instance.ebsBlockDevices ?? []) {
        if (device.encrypted !== true) {
          reportViolation(`the instance's volume ${device.deviceName} is not encrypted; set encrypted: true`);
        }
      }
    }),
    validateResourceOfType(aws.ebs.Volume, (volume, _, reportViolation) => {
      if (volume.encrypted !== true) reportViolation("the volume is not encrypted; set encrypted: true");
    }),
    validateResourceOfType(aws.ec2.LaunchTemplate, (template, _, reportViolation) => {
      for (const mapping of template.blockDeviceMappings ?? []) {
        if (mapping.ebs && String(mapping.ebs.encrypted) !== "true") {
          reportViolation(
            `the launch template's volume ${mapping.deviceName} is not encrypted; set ebs.encrypted: "true"`,
          );
        }
      }
    }),
  ],
};

export const imdsV2Only: ResourceValidationPolicy = {
  name: "imdsv2-only",
  description:
    "Instances and launch templates require IMDSv2 session tokens (IMDSv1 lets an SSRF in the app read the instance's credentials).",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.ec2.Instance, (instance, _, reportViolation) => {
      if (instance.metadataOptions?.httpTokens !== "required") {
        reportViolation('the instance allows IMDSv1; set metadataOptions.httpTokens: "required"');
      }
    }),
    validateResourceOfType(aws.ec2.LaunchTemplate, (template, _, reportViolation) => {
      if (template.metadataOptions?.httpTokens !== "required") {
        reportViolation('the launch template allows IMDSv1; set metadataOptions.httpTokens: "required"');
      }
    }),
  ],
};

export const privateDatabases: ResourceValidationPolicy = {
  name: "no-public-database",
  description: "No RDS database instance is reachable from the internet.",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.rds.Instance, (db, _, reportViolation) => {
      if (db.publiclyAccessible === true) {
        reportViolation("the database is publicly accessible; set publiclyAccessible: false and reach it from the VPC");
      }
    }),
    validateResourceOfType(aws.rds.ClusterInstance, (db, _, reportViolation) => {
      if (db.publiclyAccessible === true) {
        reportViolation("the database is publicly accessible; set publiclyAccessible: false and reach it from the VPC");
      }
    }),
  ],
};

export const POLICIES: ResourceValidationPolicy[] = [noWorldSsh, encryptedVolumes, imdsV2Only, privateDatabases];
