import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { archOf, ubuntuAmi } from "./aws-ami";
import { webFirewall } from "./aws-firewall";
import { dataVolume } from "./aws-data-volume";
import { BalancerHttps, HealthCheck, loadBalancerGroup, WebLoadBalancer, webLoadBalancer } from "./aws-load-balancer";
import { defaultNetwork } from "./aws-network";
import { snapshotPolicy } from "./aws-snapshots";
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
  /** Size in GiB of each host's data volume. */
  dataVolumeSize: number;
  /** Where the plan keeps the app's data: the data volume is mounted there (the plan's volume step). */
  dataDir: string;
  /** Whether `pulumi destroy` leaves a final snapshot of each data volume. */
  finalSnapshot: boolean;
  /** Put the hosts behind an Application Load Balancer that checks this; none: each host takes HTTP itself. */
  loadBalancer?: HealthCheck;
  /** With the load balancer: HTTPS there, for these domains (components/aws-load-balancer.ts). */
  https?: BalancerHttps;
  /** Merged into the tags of every resource. */
  tags: Record<string, string>;
}

/** Daily snapshots of each data volume, kept this many days. */
export const SNAPSHOTS_KEPT = 7;

/**
 * Ubuntu web hosts in the account's default VPC, one per availability zone in turn, each with an
 * Elastic IP (SSH), a data volume of its own (aws-data-volume.ts) snapshotted daily, behind one
 * security group, and with several hosts (or loadBalancer) behind an Application Load Balancer. Their user data only puts SSH on its port (cloud-config.ts):
 * everything else on them is provisioned over SSH.
 */
export class AwsHosts extends pulumi.ComponentResource {
  public readonly hosts: Host[];
  public readonly publicIps: pulumi.Output<string>[];
  public readonly instanceIds: pulumi.Output<string>[];
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly dataVolumeIds: pulumi.Output<string>[];
  /** The default VPC's subnets, one per zone (the database's subnet group takes them too). */
  public readonly subnetIds: pulumi.Output<string[]>;
  /** The load balancer, when there is one. */
  public readonly loadBalancer?: WebLoadBalancer;

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
    const network = defaultNetwork({ parent: this });
    const balancerGroup =
      args.loadBalancer && loadBalancerGroup(`${name}-lb-sg`, args.tags, { parent: this }, args.https !== undefined);
    const firewall = webFirewall(
      `${name}-sg`,
      { adminCidrs: args.adminCidrs, sshPort: args.sshPort, tags: args.tags, httpFrom: balancerGroup?.id },
      { parent: this },
    );
    // The snapshot policy finds the data volumes of this stack by this tag.
    const dataTag = { "hbnb-stack:data": name };
    snapshotPolicy(
      `${name}-snapshots`,
      { targetTag: dataTag, keep: SNAPSHOTS_KEPT, tags: args.tags },
      { parent: this },
    );
    const ami = ubuntuAmi(args.ubuntuRelease, archOf(args.instanceType), {
      parent: this,
    });

    const web = Array.from({ length: args.count }, (_, index) => {
      const hostName = `web-${index + 1}`;
      const resourceName = `${name}-${hostName}`;
      const userData = sshUserData(args);
      // The host's subnet (and so its zone), by its index: the same on every run, so a replaced
      // instance lands where its data volume is.
      const subnetId = network.subnetIds.apply((ids) => ids[index % ids.length]);
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
          subnetId,
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
          // subnetId too: should the default VPC gain a zone, an instance stays beside its data
          // volume (a replacement keeps the old value: Pulumi substitutes an ignored input's
          // old value).
          ignoreChanges: ["ami", "subnetId"],
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
      const data = dataVolume(
        resourceName,
        {
          availabilityZone: instance.availabilityZone,
          instanceId: instance.id,
          sizeGiB: args.dataVolumeSize,
          finalSnapshot: args.finalSnapshot,
          tags: { ...args.tags, ...dataTag, "hbnb-stack:mount": args.dataDir },
        },
        { parent: this },
      );
      const host: Host = {
        name: hostName,
        address: eip.publicIp,
        user: args.sshUser,
        port: args.sshPort,
        // The Elastic IP outlives a replaced instance: its id tells the steps to run again.
        identity: instance.id,
        facts: { dataDevice: data.device },
        // The data volume attached before the first step: the volume step mounts it.
        dependsOn: [instance, eip, data.attachment],
      };
      return { instance, eip, host, data };
    });

    this.hosts = web.map((w) => w.host);
    this.publicIps = web.map((w) => w.eip.publicIp);
    this.instanceIds = web.map((w) => w.instance.id);
    this.securityGroupId = firewall.group.id;
    this.dataVolumeIds = web.map((w) => w.data.volume.id);
    this.subnetIds = network.subnetIds;
    if (args.loadBalancer && balancerGroup) {
      this.loadBalancer = webLoadBalancer(
        `${name}-lb`,
        {
          group: balancerGroup,
          serversGroupId: firewall.group.id,
          vpcId: network.vpcId,
          subnetIds: network.subnetIds,
          instanceIds: this.instanceIds,
          healthCheck: args.loadBalancer,
          ...(args.https && { https: args.https }),
          tags: args.tags,
        },
        { parent: this },
      );
    }
    this.registerOutputs({
      dataVolumeIds: this.dataVolumeIds,
      publicIps: this.publicIps,
      instanceIds: this.instanceIds,
      securityGroupId: this.securityGroupId,
    });
  }
}
