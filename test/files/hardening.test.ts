import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Bundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan } from "../../core/plan";
import { parseSettings, RawConfig } from "../../core/settings";

/**
 * The hardening measured without a server: the app unit's exposure as systemd itself scores it
 * (`systemd-analyze security --offline`), and the hardening files through the checkers that
 * exist on this machine.
 */
const root = path.join(__dirname, "..", "..");
const privateKey = fs.readFileSync(path.join(root, "test", "fixtures", "id_ed25519"), "utf8");
const bundle: Bundle = { release: "r-0123456789ab", archive: "/build/x.tar.gz", sha256: "a".repeat(64), files: [] };
const settingsOf = (raw: RawConfig = {}) =>
  parseSettings({ target: "existing", hosts: '["192.0.2.10"]', privateKey, ...raw });

function run(program: string, args: string[]) {
  const result = spawnSync(program, args, { encoding: "utf8" });
  if (result.error) throw result.error;
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe.each<[string, RawConfig]>([
  ["SQLite (no network at all)", {}],
  ["a remote MySQL (IP allowed)", { databaseUrl: "mysql+mysqldb://u:p@db.example.com/hbnb" }],
  ["MariaDB on the server (no network: its socket is a file)", { database: "mariadb" }],
  ["another user and directories", { appUser: "web", dataDir: "/opt/web-data", logDir: "/var/log/web" }],
])("the app unit with %s", (_, raw) => {
  test("scores an exposure of at most 2.0 in systemd-analyze security", () => {
    expect(exposure(raw)).toBeLessThanOrEqual(2.0);
  });
});

/** The app unit's overall exposure as `systemd-analyze security --offline` scores it. */
function exposure(raw: RawConfig): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-security-"));
  const unit = path.join(dir, `${raw.appUser ?? "hbnb"}.service`);
  fs.writeFileSync(unit, buildPlan(settingsOf(raw), bundle, loadServerFiles()).configs.unit);
  const result = run("systemd-analyze", ["security", "--offline=true", unit]);
  fs.rmSync(dir, { recursive: true });
  const score = /Overall exposure level for \S+: (\d+\.\d+)/.exec(result.out);
  expect(score).not.toBeNull();
  return Number(score![1]);
}

test("MariaDB on the server costs the sandbox nothing: the same exposure as SQLite's, below a remote MySQL's", () => {
  const [sqlite, mariadb, remote] = [{}, { database: "mariadb" }, { databaseUrl: "mysql+mysqldb://u:p@db/hbnb" }].map(
    exposure,
  );
  expect(mariadb).toBe(sqlite);
  expect(mariadb).toBeLessThan(remote);
});

describe("hardening files", () => {
  const files = buildPlan(settingsOf(), bundle, loadServerFiles()).configFiles.filter((f) => f.step === "harden");

  test("the unattended-upgrades settings parse in apt-config and switch the daily runs on", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-apt-"));
    const file = path.join(dir, "52hbnb-stack-auto-upgrades");
    fs.writeFileSync(file, files.find((f) => f.kind === "apt")!.text);
    const result = run("apt-config", ["-c", file, "dump"]);
    fs.rmSync(dir, { recursive: true });
    expect(result.code).toBe(0);
    expect(result.out).toContain('APT::Periodic::Unattended-Upgrade "1";');
    expect(result.out).toContain('APT::Periodic::Update-Package-Lists "1";');
  });

  test("the logrotate.timer drop-in passes systemd-analyze verify", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-timer-"));
    // A stand-in for the distribution's timer and service, with the drop-in beside it.
    fs.writeFileSync(path.join(dir, "logrotate.service"), "[Service]\nType=oneshot\nExecStart=/bin/true\n");
    fs.writeFileSync(path.join(dir, "logrotate.timer"), "[Timer]\nOnCalendar=daily\n");
    fs.mkdirSync(path.join(dir, "logrotate.timer.d"));
    fs.writeFileSync(path.join(dir, "logrotate.timer.d", "hbnb-stack.conf"), files.find((f) => f.kind === "timer")!.text);
    const result = run("systemd-analyze", ["verify", path.join(dir, "logrotate.timer")]);
    fs.rmSync(dir, { recursive: true });
    expect(result.out).toBe("");
    expect(result.code).toBe(0);
  });
});
