import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { UbuntuRelease } from "../core/settings";

export type Arch = "amd64" | "arm64";

/**
 * Canonical's account: with the owner pinned, an image someone else names alike
 * can never match.
 */
export const CANONICAL_OWNER = "099720109477";

// Canonical files 24.04 images under "hvm-ssd-gp3" (gp3 root volume) and 22.04
// under "hvm-ssd".
const imagePrefix: Record<UbuntuRelease, string> = {
  "22.04": "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04",
  "24.04": "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04",
};

/**
 * Canonical's image name pattern for an Ubuntu LTS server release on one
 * architecture.
 */
export function ubuntuImageNamePattern(release: UbuntuRelease, arch: Arch): string {
  return `${imagePrefix[release]}-${arch}-server-*`;
}

/**
 * The CPU architecture of an instance type. Graviton families carry a "g" in
 * the attributes after the generation digit (t4g, m7gd, c7gn, is4gen, g5g),
 * unlike g4dn or gr6 where "g" is the class; a1 is the one Graviton family
 * without it. An AMI of the wrong architecture fails the launch, so an
 * unparsable type is an error rather than a guess.
 */
export function archOf(instanceType: string): Arch {
  const family = /^([a-z]+-?)(\d+)([a-z0-9-]*)\.[a-z0-9-]+$/.exec(instanceType);
  if (!family) {
    throw new Error(`instance type "${instanceType}" is not of the form <family>.<size>`);
  }
  const [, kind, generation, attributes] = family;
  const graviton = attributes.includes("g") || (kind === "a" && generation === "1");
  return graviton ? "arm64" : "amd64";
}

/** The newest Canonical Ubuntu server AMI for the release and architecture. */
export function ubuntuAmi(
  release: UbuntuRelease,
  arch: Arch,
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<string> {
  const image = aws.ec2.getAmiOutput(
    {
      mostRecent: true,
      owners: [CANONICAL_OWNER],
      filters: [
        { name: "name", values: [ubuntuImageNamePattern(release, arch)] },
        { name: "virtualization-type", values: ["hvm"] },
        { name: "root-device-type", values: ["ebs"] },
      ],
    },
    opts,
  );
  return image.id;
}
