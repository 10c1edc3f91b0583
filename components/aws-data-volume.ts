import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ebsDevice } from "../core/plan";

/** Where the data volume is attached: the name EC2 takes; on a Nitro instance the disk is found by its id instead. */
export const DATA_DEVICE_NAME = "/dev/sdf";

export interface DataVolumeArgs {
  /** The instance's availability zone (its output): an EBS volume attaches only to an instance of its own zone. */
  availabilityZone: pulumi.Input<string>;
  instanceId: pulumi.Input<string>;
  sizeGiB: number;
  /** Whether deleting the volume (`pulumi destroy`) leaves a snapshot of it first. */
  finalSnapshot: boolean;
  /** The volume's tags: the snapshot policy finds the volumes by one of them (aws-snapshots.ts). */
  tags: Record<string, string>;
}

export interface DataVolume {
  volume: aws.ebs.Volume;
  attachment: aws.ec2.VolumeAttachment;
  /** The disk on the instance, for the plan's volume step (a fact of the host). */
  device: pulumi.Output<string>;
}

/**
 * A server's data directory on an EBS volume of its own: encrypted gp3, made in the zone its
 * instance was placed in (aws-network.ts, by the server's index; an instance made before the
 * volume existed, wherever EC2 put it). After that the zone is ignored (ignoreChanges), and
 * nothing else of the instance is an input of the volume, so a replaced instance (a new
 * ubuntuRelease, a `--replace`) leaves the volume alone, and only its attachment moves to the
 * new instance (in the same subnet, aws-hosts.ts):
 * - the attachment names the instance (a change of instanceId replaces it), and EBS attaches a
 *   volume to one instance at a time, so the old attachment must go before the new one is made:
 *   deleteBeforeReplace (Pulumi's default creates the replacement first, which EBS would refuse
 *   with VolumeInUse);
 * - stopInstanceBeforeDetaching: the old instance is stopped before its volume is taken away,
 *   so the filesystem is unmounted cleanly, not pulled from under a running app.
 * `finalSnapshot` is the provider's own: "If true, snapshot will be created before volume
 * deletion. Any tags on the volume will be migrated to the snapshot" (@pulumi/aws 7.48,
 * ebs/volume.d.ts). `stopInstanceBeforeDetaching`: "Stops the instance, if it is not already
 * stopped" (ec2/volumeAttachment.d.ts).
 */
export function dataVolume(name: string, args: DataVolumeArgs, opts: pulumi.CustomResourceOptions): DataVolume {
  const volume = new aws.ebs.Volume(
    `${name}-data`,
    {
      availabilityZone: args.availabilityZone,
      size: args.sizeGiB,
      type: "gp3",
      encrypted: true,
      finalSnapshot: args.finalSnapshot,
      tags: { ...args.tags, Name: `${name}-data` },
    },
    { ...opts, ignoreChanges: ["availabilityZone"] },
  );
  const attachment = new aws.ec2.VolumeAttachment(
    `${name}-data`,
    {
      deviceName: DATA_DEVICE_NAME,
      instanceId: args.instanceId,
      volumeId: volume.id,
      stopInstanceBeforeDetaching: true,
    },
    { ...opts, deleteBeforeReplace: true },
  );
  return { volume, attachment, device: volume.id.apply(ebsDevice) };
}
