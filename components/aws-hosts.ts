import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { archOf, ubuntuAmi } from "./aws-ami";
import { webFirewall } from "./aws-firewall";
import { sshUserData } from "../core/cloud-config";
import { UbuntuRelease } from "../core/settings";
import { Host } from "./host";

export interface AwsHostsArgs {
  /** Ubuntu LTS release picked by the AMI lookup. */
  ubuntuRelease: UbuntuRelease;
  /**
   * e.g. "t3.micro"; a Graviton type (t4g.small, c7gn.large) gets an arm64
   * image.
   */
  instanceType: string;
  /** Number of web hosts, at least 1. */
  count: number;
  /** SSH is allowed only from these IPv4 and IPv6 CIDRs. */
  adminCidrs: string[];
  sshPort: number;
  /** The user the deploy connects as (the image's default user, `ubuntu`, unless set otherwise). */
  sshUser: string;
  /** OpenSSH public key line installed for the SSH user. */
  publicKey: string;
  /** Root volume size in GiB. */
  rootVolumeSize: number;
  /** Merged into the tags of every resource. */
  tags: Record<string, string>;
}

/**
 * Ubuntu web hosts in the account's default VPC, each with an Elastic IP,
 * behind one security group. Their user data only puts SSH on its port (cloud-config.ts):
 * everything else on them is provisioned over SSH.
 */
export class AwsHosts extends pulumi.ComponentResource {
  public readonly hosts: Host[];
  public readonly publicIps: pulumi.Output<string>[];
  public readonly instanceIds: pulumi.Output<string>[];
  public readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: AwsHostsArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!Number.isInteger(args.count) || args.count < 1) {
      throw new Error(`count must be a whole number >= 1, got ${args.count}`);
    }
    // Without an admin range no SSH rule exists, and provisioning would wait on
    // a closed port.
    if (args.adminCidrs.length === 0) {
      throw new Error("adminCidrs must hold at least one CIDR to provision over SSH");
    }
    super("hbnb-stack:aws:Hosts", name, {}, opts);

    const tagged = (resourceName: string) => ({
      ...args.tags,
      Name: resourceName,
    });
    const key = new aws.ec2.KeyPair(
      `${name}-key`,
      { publicKey: args.publicKey, tags: tagged(`${name}-key`) },
      { parent: this },
    );
    const firewall = webFirewall(
      `${name}-sg`,
      { adminCidrs: args.adminCidrs, sshPort: args.sshPort, tags: args.tags },
      { parent: this },
    );
    const ami = ubuntuAmi(args.ubuntuRelease, archOf(args.instanceType), {
      parent: this,
    });

    const web = Array.from({ length: args.count }, (_, index) => {
      const hostName = `web-${index + 1}`;
      const resourceName = `${name}-${hostName}`;
      const userData = sshUserData(args);
      const instance = new aws.ec2.Instance(
        resourceName,
        {
          ami,
          instanceType: args.instanceType,
          keyName: key.keyName,
          // cloud-init applies user data once per instance (write_files and runcmd are
          // per-instance modules), so the in-place update (stop, new user data, start) would
          // leave sshd on the old port while the security group and the plan move to the new
          // one: an sshPort change on aws means a new instance, provisioned from scratch. On
          // port 22 neither is set, so instances made before user data existed see no change.
          ...(userData && { userData, userDataReplaceOnChange: true }),
          vpcSecurityGroupIds: [firewall.group.id],
          metadataOptions: {
            httpTokens: "required",
            httpEndpoint: "enabled",
            httpPutResponseHopLimit: 1,
          },
          rootBlockDevice: {
            volumeType: "gp3",
            volumeSize: args.rootVolumeSize,
            encrypted: true,
            deleteOnTermination: true,
          },
          // The root volume's cost is then reported under the same tags as the
          // instance.
          volumeTags: tagged(resourceName),
          tags: tagged(resourceName),
        },
        {
          parent: this,
          // The lookup returns Canonical's newest image, which changes every
          // few weeks. A server provisioned over SSH holds state, so a new
          // image must not replace it on the next `pulumi up`; security
          // updates reach it through apt. Replacing it stays a deliberate
          // `pulumi up --replace <urn>`.
          ignoreChanges: ["ami"],
          // The instance is reachable over SSH only once its rules exist.
          dependsOn: firewall.rules,
        },
      );
      // A stop/start gives the instance a new public IP; the Elastic IP keeps
      // the SSH target and the site's address stable.
      const eip = new aws.ec2.Eip(
        `${resourceName}-eip`,
        { domain: "vpc", instance: instance.id, tags: tagged(resourceName) },
        { parent: this },
      );
      const host: Host = {
        name: hostName,
        address: eip.publicIp,
        user: args.sshUser,
        port: args.sshPort,
        // The Elastic IP outlives a replaced instance: its id tells the steps to run again.
        identity: instance.id,
        dependsOn: [instance, eip],
      };
      return { instance, eip, host };
    });

    this.hosts = web.map((w) => w.host);
    this.publicIps = web.map((w) => w.eip.publicIp);
    this.instanceIds = web.map((w) => w.instance.id);
    this.securityGroupId = firewall.group.id;
    this.registerOutputs({
      publicIps: this.publicIps,
      instanceIds: this.instanceIds,
      securityGroupId: this.securityGroupId,
    });
  }
}
