import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Document, parse } from "yaml";
import { SshBootArgs, sshUserData } from "./cloud-config";
import { FILES_DIR } from "./files";
import { carriesSecrets, Plan } from "./plan";

/**
 * The third driver of the one plan: its steps run by cloud-init at an instance's first boot,
 * from the user data, with no SSH (autoscaling on AWS; test/e2e/user-data.test.ts boots a local
 * server this way). Pure: it only writes the documents; files/boot/boot.py runs them.
 *
 * Why a bootstrap and not the steps themselves in the user data: EC2 takes at most 16 KB of user
 * data before base64 (docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html), and the plan's
 * steps are about 230 KB (lib.sh rides with every step), 69 KB gzipped (measured in
 * test/unit/user-data.test.ts). So the user data carries the runner and where to fetch the rest;
 * the boot plan (bootPlan) is an object beside the release archive, named by its sha256.
 */

/** Where the boot fetches an object: an S3 object read with the instance role, or a plain URL (the local test's S3). */
export type BootObject = { s3: { bucket: string; key: string; region: string } } | { url: string };

/**
 * Where the boot reads a secret: an SSM Parameter Store SecureString, read and decrypted with the
 * instance role; or the value itself, which anyone who can read the user data sees (EC2's
 * DescribeInstanceAttribute, any process on the instance through the metadata service): for
 * the local test only.
 */
export type BootSecret = { ssm: { name: string; region: string } } | { value: string };

export interface BootSources {
  /** The boot plan (bootPlan's text). */
  plan: BootObject;
  /** The release archive of the plan's release step; none when the release is pinned. */
  archive?: BootObject;
  /** Each secret the plan's steps need, by name. */
  secrets: Record<string, BootSecret>;
  /**
   * SSH as the stack has it (core/cloud-config.ts): another sshUser or sshPort is set up first,
   * as on the instances deployed over SSH; the harden step checks that the user exists.
   */
  ssh?: SshBootArgs;
}

/** The keys of sshUserData's cloud-config. */
interface SshCloudConfig {
  user?: string;
  write_files?: object[];
  runcmd?: string[];
}

/** Where cloud-init writes the runner and its settings on the instance. */
export const BOOT_RUNNER = "/usr/local/lib/hbnb-stack/boot.py";
export const BOOT_SETTINGS = "/etc/hbnb-stack/boot.json";

export const bootRunner = (): string => fs.readFileSync(path.join(FILES_DIR, "boot", "boot.py"), "utf8");

/**
 * The plan as the boot runs it: each step's name, summary, exact stdin (secrets as their tokens),
 * the secrets it needs and the file it uploads (destination and sha256; the source is the
 * archive's BootObject). No secret value is in it.
 */
export function bootPlan(plan: Plan): string {
  const steps = plan.steps.map((step) => ({
    name: step.name,
    summary: step.summary,
    stdin: step.stdin,
    secrets: step.secrets,
    carriesSecrets: carriesSecrets(step),
    ...(step.upload && { upload: { destination: step.upload.destination, sha256: step.upload.sha256 } }),
  }));
  return JSON.stringify({ release: plan.release, steps }) + "\n";
}

export const sha256 = (text: string): string => crypto.createHash("sha256").update(text).digest("hex");

/**
 * The user data of an instance that runs PLAN at first boot: a cloud-config that writes the
 * runner and its settings (root-only) and runs it from `runcmd`, whose failure cloud-init reports
 * as an error of its final stage. It names the boot plan by sha256, so a new release or any
 * change of a step is new user data (a new launch template version, which instance refresh
 * rolls out).
 */
export function bootUserData(plan: Plan, sources: BootSources): string {
  const upload = plan.steps.find((step) => step.upload);
  if (upload && !sources.archive)
    throw new Error(`the plan uploads ${upload.upload!.destination}: the boot needs the archive's source`);
  const needed = [...new Set(plan.steps.flatMap((step) => step.secrets))];
  const missing = needed.filter((name) => !sources.secrets[name]);
  if (missing.length > 0) throw new Error(`the boot needs a source for the secret(s) ${missing.join(", ")}`);
  const settings = {
    plan: sources.plan,
    planSha256: sha256(bootPlan(plan)),
    ...(upload && { archive: sources.archive }),
    secrets: Object.fromEntries(needed.map((name) => [name, sources.secrets[name]])),
  };
  const sshText = sources.ssh && sshUserData(sources.ssh);
  const ssh: SshCloudConfig = sshText ? parse(sshText) : {};
  const doc = new Document({
    ...(ssh.user && { user: ssh.user }),
    write_files: [
      ...(ssh.write_files ?? []),
      { path: BOOT_RUNNER, owner: "root:root", permissions: "0700", content: bootRunner() },
      {
        path: BOOT_SETTINGS,
        owner: "root:root",
        permissions: "0600",
        content: JSON.stringify(settings, null, 2) + "\n",
      },
    ],
    // runcmd runs once per instance, in cloud-init's final stage (after the network is up): its
    // commands in order, in one shell script whose exit status is the last command's
    // (canonical/cloud-init, cloudinit/util.py, shellify: "#!/bin/sh" and a line each). The SSH
    // socket's restart first; the plan last, whose non-zero exit makes cloud-init's scripts_user
    // module, and so `cloud-init status`, fail.
    runcmd: [...(ssh.runcmd ?? []), ["python3", BOOT_RUNNER, BOOT_SETTINGS]],
  });
  doc.commentBefore = ` hbnb-stack: release ${plan.release}, its plan run at first boot (no SSH).`;
  // cloud-init takes user data as cloud-config only when its first line is exactly this.
  return `#cloud-config\n${doc.toString({ lineWidth: 0 })}`;
}
