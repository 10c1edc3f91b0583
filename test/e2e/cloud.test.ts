import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { APP_DIR, buildBundle } from "../../core/bundle";
import { sshUserData } from "../../core/cloud-config";
import { loadServerFiles } from "../../core/files";
import { buildPlan, Plan } from "../../core/plan";
import { reboot } from "../../local/hosts";
import { StepReport } from "../../local/runner";
import { asRoot, connectOutcome, listening, ranThisBoot } from "./cloud-host";
import { busy } from "./alone";
import { TestServer } from "./server";
import { expectNoFailure, underLoad } from "./wait";

/**
 * The stack on the cloud image (local/root.sh): a server that boots like Ubuntu 24.04 on EC2,
 * through cloud-init with the user data the stack gives an EC2 instance for sshPort 2222, SSH
 * socket-activated, apt-daily and unattended-upgrades at first boot. One server for the whole
 * file: the fresh deploy, a redeploy under load, the hardening checks, then a reboot.
 */
jest.setTimeout(15 * 60_000);
const SSH_PORT = 2222;
const server = new TestServer("hbnb-e2e-cloud");
const run = promisify(execFile);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-cloud-"));
let port22BeforeDeploy: string;
let first: StepReport[];
/** The plan of the release that serves. */
let live: Plan;

const ran = (reports: StepReport[]) => reports.filter((r) => r.ran).map((r) => r.step);

beforeAll(async () => {
  await server.create({ image: "cloud", sshPort: SSH_PORT });
  port22BeforeDeploy = await connectOutcome(server, 22);
  // The first boot's apt runs finish first: a deploy that meets them is the subject of
  // cloud-first-boot.test.ts, and the checks here must not depend on who wins that race.
  await ranThisBoot(server, "apt-daily");
  await ranThisBoot(server, "apt-daily-upgrade");
  first = await server.deploy();
  live = server.plan;
});
afterAll(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  await server.destroy();
});

describe("the first boot, through cloud-init with the stack's EC2 user data", () => {
  test("cloud-init finished without errors, from the NoCloud seed, with that user data, valid by its schema", async () => {
    const status = await asRoot(server, "cloud-init status --long");
    expect(status).toMatch(/^status: done$/m);
    expect(status).toMatch(/^detail: DataSourceNoCloud \[seed=\/var\/lib\/cloud\/seed\/nocloud\]$/m);
    expect(status).toMatch(/^errors: \[\]$/m);
    expect(await asRoot(server, "cat /var/lib/cloud/instance/user-data.txt")).toBe(
      sshUserData({ sshPort: SSH_PORT, ubuntuRelease: "24.04" })?.trim(),
    );
    expect(await asRoot(server, "cloud-init schema --system 2>&1")).toContain("Valid schema user-data");
  });

  test("SSH listens on 2222 only, through systemd's socket; 22 was refused before any step ran", async () => {
    const ports = await listening(server);
    expect(ports.has(22)).toBe(false);
    expect(ports.get(SSH_PORT)?.sort()).toEqual([
      expect.stringMatching(/^0\.0\.0\.0:2222 users:\(.*\("systemd",pid=1,/),
      expect.stringMatching(/^\[::\]:2222 users:\(.*\("systemd",pid=1,/),
    ]);
    expect(port22BeforeDeploy).toBe("ECONNREFUSED");
    expect((await server.sh("systemctl is-enabled ssh.socket ssh.service")).out).toBe("enabled\ndisabled");
  });

  test("the plan connected as ubuntu on 2222 and ran every step", () => {
    expect([server.target.user, server.target.port]).toEqual(["ubuntu", SSH_PORT]);
    expect(ran(first)).toEqual(server.plan.steps.map((s) => s.name));
  });

  test("the image is Ubuntu's in what the plan meets: cloud-init's sshd drop-in, needrestart, apt at first boot", async () => {
    expect(await asRoot(server, "cat /etc/ssh/sshd_config.d/50-cloud-init.conf")).toBe("PasswordAuthentication no");
    expect((await server.sh("dpkg-query -W -f='${Status}' needrestart cloud-init unattended-upgrades")).out).toBe(
      "install ok installedinstall ok installedinstall ok installed",
    );
    const journal = await asRoot(server, "journalctl -b -o cat -u apt-daily.service -u apt-daily-upgrade.service");
    expect(journal).toContain("Starting apt-daily.service");
    expect(journal).toContain("Starting apt-daily-upgrade.service");
  });
});

describe("the site", () => {
  test("answers from outside: the page, the API, a static file", async () => {
    expect((await server.http("/")).status).toBe(200);
    expect(JSON.parse((await server.http("/api/v1/status")).body)).toEqual({ status: "OK" });
    expect((await server.http("/static/scripts/jquery.min.js")).status).toBe(200);
  });

  test("a new release goes live under load with no failed request", async () => {
    const app = path.join(work, "next", "app");
    fs.cpSync(APP_DIR, app, { recursive: true });
    fs.appendFileSync(path.join(app, "hbnb/wsgi.py"), "\n# the next release\n");
    const next = buildBundle(path.join(work, "next", "build"), app);
    const plan = buildPlan(server.settings, next, loadServerFiles());
    const { result: reports, loads } = await underLoad(server, () => server.deploy(plan));
    expect(ran(reports)).toEqual(["release", "database", "switch", "prune"]);
    expectNoFailure(loads);
    expect(await server.serving()).toBe(next.release);
    live = plan;
  });
});

describe("the hardening, next to cloud-init's own SSH settings", () => {
  const sshAs = async (user: string, ...options: string[]) => {
    const args = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes"];
    args.push("-o", "ConnectTimeout=10", "-p", String(SSH_PORT), ...options);
    args.push("-i", server.target.keyFile, `${user}@${server.host.address}`, "true");
    try {
      await run("ssh", args);
      return "logged in";
    } catch (error) {
      return String((error as { stderr?: string }).stderr ?? error);
    }
  };

  test("SSH: ubuntu gets in with its key; root and passwords are refused", async () => {
    expect(await sshAs("ubuntu")).toBe("logged in");
    expect(await sshAs("root")).toContain("Permission denied (publickey)");
    const noKey = ["-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive"];
    expect(await sshAs("ubuntu", ...noKey)).toContain("Permission denied (publickey)");
    const effective = await asRoot(server, "sshd -T");
    expect(effective).toMatch(/^port 2222$/m);
    expect(effective).toMatch(/^passwordauthentication no$/m);
    expect(effective).toMatch(/^permitrootlogin no$/m);
    expect(effective).toMatch(/^kbdinteractiveauthentication no$/m);
  });

  test("the firewall lets in 2222, HTTP and HTTPS, and not 22", async () => {
    const rules = await asRoot(server, "ufw status");
    expect(rules).toMatch(/^Status: active$/m);
    expect(rules).toMatch(/^2222\/tcp +ALLOW +Anywhere/m);
    expect(rules).toMatch(/^80\/tcp +ALLOW +Anywhere/m);
    expect(rules).toMatch(/^443\/tcp +ALLOW +Anywhere/m);
    expect(rules).not.toMatch(/^22\/tcp/m);
    expect(await connectOutcome(server, 22)).not.toBe("connected");
  });

  test("every unit runs, fail2ban's sshd jail included, on the SSH port", async () => {
    expect((await server.sh("systemctl --failed --no-legend --plain")).out).toBe("");
    expect(await asRoot(server, "fail2ban-client status sshd")).toContain("Journal matches");
    expect(await asRoot(server, "grep -E '^port *=' /etc/fail2ban/jail.d/hbnb-stack.local")).toBe("port = 2222");
  });

  test("the app unit scores an exposure of at most 2.0 in systemd-analyze security", async () => {
    const out = await asRoot(server, `systemd-analyze security ${server.plan.layout.service}.service | tail -1`);
    expect(Number(/exposure level for \S+: (\d+\.\d+)/.exec(out)?.[1])).toBeLessThanOrEqual(2.0);
  });

  test("security updates install themselves every day", async () => {
    const apt = (await server.sh("apt-config dump")).out;
    expect(apt).toContain('APT::Periodic::Unattended-Upgrade "1";');
    expect(apt).toContain('APT::Periodic::Update-Package-Lists "1";');
    expect((await server.sh("systemctl is-enabled apt-daily.timer apt-daily-upgrade.timer")).out).toBe(
      "enabled\nenabled",
    );
  });

  test("running the plan again changes nothing", async () => {
    const again = await server.deploy(live, { force: true });
    expect(ran(again)).toEqual(live.steps.map((s) => s.name));
    for (const report of again) {
      expect([report.step, report.output]).toEqual([report.step, expect.stringContaining(`${report.step}: unchanged`)]);
      expect(report.output).not.toContain("changed:");
    }
  });
});

describe("after a reboot", () => {
  test("the site answers, SSH is on 2222 only, cloud-init did not run as for a new instance", async () => {
    const instance = await asRoot(server, "cat /var/lib/cloud/data/instance-id");
    await busy(() => reboot(server.name));
    const { service } = server.plan.layout;
    expect((await server.sh(`systemctl is-active ${service} nginx`)).out).toBe("active\nactive");
    expect(JSON.parse((await server.http("/api/v1/status")).body)).toEqual({ status: "OK" });
    const ports = await listening(server);
    expect([ports.has(22), ports.has(SSH_PORT)]).toEqual([false, true]);
    expect(await asRoot(server, "cat /var/lib/cloud/data/instance-id")).toBe(instance);
    expect(await asRoot(server, "cloud-init status")).toBe("status: done");
  });
});
