import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RDS_NAMES, RDS_PORT } from "../core/rds";

/**
 * The engine of database rds: MariaDB, the same database as database mariadb on each server
 * (the app's MySQLdb driver and SQL are unchanged, and the local e2e tests run MariaDB), on its
 * long-term-support release 10.11; RDS applies its minor releases in the maintenance window.
 */
export const RDS_ENGINE = { engine: "mariadb", engineVersion: "10.11" } as const;

export interface AwsDatabaseArgs {
  /** The servers' security group: the only one that reaches the database. */
  serversGroupId: pulumi.Input<string>;
  /** The default VPC's subnets (at least two zones, RDS's rule for a subnet group). */
  subnetIds: pulumi.Input<string[]>;
  instanceClass: string;
  password: pulumi.Input<string>;
  deletionProtection: boolean;
  /** Whether deleting the database (`pulumi destroy`) leaves a final snapshot of it. */
  finalSnapshot: boolean;
  tags: Record<string, string>;
}

/**
 * One MariaDB on Amazon RDS that every server shares: storage encrypted, no public address,
 * reachable on 3306 from the servers' security group only, automated backups kept 7 days, and
 * deletion protection unless the stack turns it off.
 */
export class AwsDatabase extends pulumi.ComponentResource {
  readonly instance: aws.rds.Instance;
  /** The endpoint's host name, for the app's environment. */
  readonly address: pulumi.Output<string>;

  constructor(name: string, args: AwsDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hbnb-stack:aws:Database", name, {}, opts);
    const child = { parent: this };
    const group = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { description: "hbnb-stack database: MariaDB from the web servers only", tags: { ...args.tags, Name: name } },
      child,
    );
    // No egress rule: the database answers connections, and opens none of its own.
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-from-servers`,
      {
        securityGroupId: group.id,
        ipProtocol: "tcp",
        fromPort: RDS_PORT,
        toPort: RDS_PORT,
        referencedSecurityGroupId: args.serversGroupId,
        description: "MariaDB from the web servers only",
        tags: args.tags,
      },
      { parent: group },
    );
    const subnets = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      { subnetIds: args.subnetIds, description: "hbnb-stack: the default VPC's subnets", tags: args.tags },
      child,
    );
    this.instance = new aws.rds.Instance(
      name,
      {
        ...RDS_ENGINE,
        instanceClass: args.instanceClass,
        allocatedStorage: 20,
        storageType: "gp3",
        storageEncrypted: true,
        publiclyAccessible: false,
        dbSubnetGroupName: subnets.name,
        vpcSecurityGroupIds: [group.id],
        port: RDS_PORT,
        dbName: RDS_NAMES.name,
        username: RDS_NAMES.user,
        password: args.password,
        backupRetentionPeriod: 7,
        copyTagsToSnapshot: true,
        autoMinorVersionUpgrade: true,
        deletionProtection: args.deletionProtection,
        skipFinalSnapshot: !args.finalSnapshot,
        // RDS refuses a destroy without a name for the final snapshot, and a name already taken.
        ...(args.finalSnapshot && { finalSnapshotIdentifier: `${name}-final` }),
        tags: { ...args.tags, Name: name },
      },
      { ...child, additionalSecretOutputs: ["password"] },
    );
    this.address = this.instance.address;
    this.registerOutputs({ address: this.address });
  }
}
