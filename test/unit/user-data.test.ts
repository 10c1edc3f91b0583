import * as zlib from "zlib";
import { parse } from "yaml";
import { SSH_SOCKET_DROPIN, SSHD_PORT_FILE, sshUserData } from "../../core/cloud-config";
import { secretToken } from "../../core/plan";
import {
  BOOT_RUNNER,
  BOOT_SETTINGS,
  bootPlan,
  bootRunner,
  BootSources,
  bootUserData,
  sha256,
} from "../../core/user-data";
import { planOf } from "./plan-fixture";

/** EC2's limit on user data, before base64 (docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html). */
const EC2_USER_DATA_LIMIT = 16 * 1024;

const plan = planOf({ database: "mariadb" });
const s3 = (key: string) => ({ s3: { bucket: "hbnb-releases", key, region: "eu-west-3" } });
const ssm = (name: string) => ({ ssm: { name: `/hbnb-stack/dev/${name}`, region: "eu-west-3" } });
const sources: BootSources = {
  plan: s3("plans/p.json"),
  archive: s3("releases/r.tar.gz"),
  secrets: {
    flaskSecretKey: ssm("flaskSecretKey"),
    apiToken: ssm("apiToken"),
    databasePassword: ssm("databasePassword"),
  },
};

/** The user data as cloud-init reads it: its files by path, and runcmd. */
function read(userData: string) {
  const doc = parse(userData) as {
    write_files: { path: string; owner: string; permissions: string; content: string }[];
    runcmd: string[][];
  };
  const files = Object.fromEntries(doc.write_files.map((f) => [f.path, f]));
  return { files, runcmd: doc.runcmd, settings: JSON.parse(files[BOOT_SETTINGS].content) };
}

describe("the boot plan", () => {
  const boot = JSON.parse(bootPlan(plan)) as {
    release: string;
    steps: { name: string; stdin: string; secrets: string[]; carriesSecrets: boolean; upload?: object }[];
  };

  test("is the plan's steps, in order, each with its exact stdin", () => {
    expect(boot.release).toBe(plan.release);
    expect(boot.steps.map((s) => [s.name, s.stdin, s.secrets])).toEqual(
      plan.steps.map((s) => [s.name, s.stdin, s.secrets]),
    );
  });

  test("names the release upload by its destination and sha256, not by a path on this machine", () => {
    const release = plan.steps.find((s) => s.name === "release")!;
    expect(boot.steps.find((s) => s.name === "release")!.upload).toEqual({
      destination: release.upload!.destination,
      sha256: release.upload!.sha256,
    });
    expect(boot.steps.filter((s) => s.upload).map((s) => s.name)).toEqual(["release"]);
    expect(bootPlan(plan)).not.toContain(release.upload!.source);
  });

  test("carries the secrets' tokens, and marks the steps whose stdin holds them", () => {
    expect(boot.steps.filter((s) => s.carriesSecrets).map((s) => s.name)).toEqual(["mariadb", "secrets"]);
    expect(bootPlan(plan)).toContain(JSON.stringify(secretToken("apiToken")).slice(1, -1));
  });
});

describe("the user data", () => {
  const userData = bootUserData(plan, sources);
  const { files, runcmd, settings } = read(userData);

  test("fits EC2's 16 KB, which the steps themselves do not, even gzipped: why it is a bootstrap", () => {
    const steps = plan.steps.map((s) => s.stdin).join("");
    expect(Buffer.byteLength(steps)).toBeGreaterThan(EC2_USER_DATA_LIMIT);
    expect(zlib.gzipSync(steps, { level: 9 }).length).toBeGreaterThan(EC2_USER_DATA_LIMIT);
    expect(Buffer.byteLength(userData)).toBeLessThan(EC2_USER_DATA_LIMIT);
  });

  test("is a cloud-config that writes the runner and its settings for root only, and runs it once", () => {
    expect(userData.startsWith("#cloud-config\n")).toBe(true);
    expect(files[BOOT_RUNNER]).toEqual({
      path: BOOT_RUNNER,
      owner: "root:root",
      permissions: "0700",
      content: bootRunner(),
    });
    expect([files[BOOT_SETTINGS].owner, files[BOOT_SETTINGS].permissions]).toEqual(["root:root", "0600"]);
    expect(runcmd).toEqual([["python3", BOOT_RUNNER, BOOT_SETTINGS]]);
  });

  test("names the boot plan by its sha256, the archive and the secrets' parameters, and holds no secret", () => {
    expect(settings).toEqual({
      plan: sources.plan,
      planSha256: sha256(bootPlan(plan)),
      archive: sources.archive,
      secrets: sources.secrets,
    });
  });

  test("changes with any step (a new launch template version): a new release, a new setting", () => {
    expect(bootUserData(planOf({ database: "mariadb", workers: "5" }), sources)).not.toBe(userData);
    expect(bootUserData(planOf({ database: "mariadb" }), sources)).toBe(userData);
  });

  test("a secret with no source, or an upload with no archive, is an error before anything is written", () => {
    const { databasePassword, ...others } = sources.secrets;
    expect(databasePassword).toBeDefined();
    expect(() => bootUserData(plan, { ...sources, secrets: others })).toThrow(
      "the boot needs a source for the secret(s) databasePassword",
    );
    expect(() => bootUserData(plan, { ...sources, archive: undefined })).toThrow(
      `the plan uploads /tmp/hbnb-stack-${plan.release}.tar.gz: the boot needs the archive's source`,
    );
  });

  test("another SSH user and port: set up as on the servers deployed over SSH, before the plan runs", () => {
    const ssh = { sshPort: 2222, sshUser: "deploy", ubuntuRelease: "24.04" as const };
    const own = parse(sshUserData(ssh)!) as { user: string; write_files: object[]; runcmd: string[] };
    const doc = parse(bootUserData(plan, { ...sources, ssh })) as {
      user: string;
      write_files: { path: string }[];
      runcmd: unknown[];
    };
    expect(doc.user).toBe("deploy");
    expect(doc.write_files.map((f) => f.path)).toEqual([SSHD_PORT_FILE, SSH_SOCKET_DROPIN, BOOT_RUNNER, BOOT_SETTINGS]);
    expect(doc.write_files.slice(0, 2)).toEqual(own.write_files);
    expect(doc.runcmd).toEqual([
      "systemctl daemon-reload",
      "systemctl restart ssh.socket",
      ["python3", BOOT_RUNNER, BOOT_SETTINGS],
    ]);
    // Port 22 and the user ubuntu, Canonical's own: nothing but the plan.
    expect(bootUserData(plan, { ...sources, ssh: { sshPort: 22, sshUser: "ubuntu", ubuntuRelease: "24.04" } })).toBe(
      userData,
    );
  });

  test("a pinned release uploads nothing: no archive is named", () => {
    const pinned = planOf({ release: "r-0123456789ab" });
    const { settings: pinnedSettings } = read(bootUserData(pinned, { ...sources, archive: undefined }));
    expect(pinnedSettings.archive).toBeUndefined();
    expect(Object.keys(pinnedSettings.secrets)).toEqual(["flaskSecretKey", "apiToken"]);
  });
});
