import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sshUserData } from "../../core/cloud-config";
import { down, up } from "../../local/hosts";
import { StepReport } from "../../local/runner";
import { busy, inEachTest } from "./alone";
import { asRoot, connectOutcome, listening } from "./cloud-host";
import { deployWaitingForApt, firstSteps, until } from "./wait";
import { TestServer } from "./server";

/**
 * What a first boot of the cloud image (local/root.sh) puts in the plan's way: SSH that a `Port`
 * line alone does not move, and apt-daily holding apt's lists lock while the deploy begins.
 */
jest.setTimeout(15 * 60_000);

// Each test boots a cloud-image server, whose first boot runs cloud-init and apt (alone.ts).
inEachTest(busy);

describe("socket-activated SSH", () => {
  const server = new TestServer("hbnb-e2e-portonly");
  afterAll(() => server.destroy());

  test("a Port line alone (the 22.04 user data) leaves the socket on 22: why 24.04's has the drop-in", async () => {
    // Same sshd setting as 24.04's user data, without the ssh.socket drop-in.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-user-data-"));
    const userDataFile = path.join(dir, "user-data");
    fs.writeFileSync(userDataFile, sshUserData({ sshPort: 2222, ubuntuRelease: "22.04" }) ?? "");
    try {
      await down(server.name);
      server.host = await up(server.name, { image: "cloud", userDataFile });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    server.configure({});
    await until("cloud-init finishes", 300, async () => (await server.sh("cloud-init status")).out === "status: done");
    expect(await asRoot(server, "sshd -T | grep '^port '")).toBe("port 2222");
    const ports = await listening(server);
    expect([ports.has(22), ports.has(2222)]).toEqual([true, false]);
    expect(await connectOutcome(server, 2222)).toBe("ECONNREFUSED");
  });
});

describe("apt at first boot", () => {
  const server = new TestServer("hbnb-e2e-firstboot");
  beforeAll(() => server.create({ image: "cloud" }));
  afterAll(() => server.destroy());

  test("the packages step waits while apt-daily's apt-get update holds the lists lock, then installs", async () => {
    // apt-daily.service caught holding /var/lib/apt/lists/lock, and frozen there (SIGSTOP to
    // every process of the unit) for as long as the test needs: the first boot's own run, or,
    // if that one was already over, the same unit again with its stamp removed so that it
    // updates. The lock is found in /proc/locks by the inode of the lock file.
    const holder = await asRoot(
      server,
      `
      held_by_apt_daily() {
        local inode pid
        inode=$(stat -c %i /var/lib/apt/lists/lock 2>/dev/null) || return 1
        for pid in $(awk -v i="$inode" '$6 ~ ":" i "$" { print $5 }' /proc/locks); do
          grep -q '/apt-daily.service$' "/proc/$pid/cgroup" 2>/dev/null && { echo "$pid"; return 0; }
        done
        return 1
      }
      for attempt in $(seq 20); do
        if ! systemctl is-active -q apt-daily.service; then
          rm -f /var/lib/apt/periodic/update-stamp
          systemctl start --no-block apt-daily.service
        fi
        for i in $(seq 600); do
          held_by_apt_daily >/dev/null && break
          systemctl is-active -q apt-daily.service || continue 2
          sleep 0.1
        done
        systemctl kill -s SIGSTOP apt-daily.service
        # Still held once nothing of the unit runs: it stays held until SIGCONT.
        held_by_apt_daily && exit 0
        systemctl kill -s SIGCONT apt-daily.service
      done
      exit 1`,
    );
    expect(holder).toMatch(/^\d+$/);

    const { waiting, deploying } = await deployWaitingForApt(server, firstSteps(server.plan));
    expect(waiting).toContain(`for /var/lib/apt/lists/lock, held by process ${holder} (`);
    expect(waiting).toContain("in apt-daily.service)");

    await asRoot(server, "systemctl kill -s SIGCONT apt-daily.service");
    const reports: StepReport[] = await deploying;
    expect(reports.find((report) => report.step === "packages")?.output).toMatch(
      /^packages: changed: installed nginx gunicorn /m,
    );
    expect((await server.sh("dpkg-query -W -f='${Status}' nginx")).out).toBe("install ok installed");
  });
});
