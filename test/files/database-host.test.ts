import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BACKUP_DIR, BACKUP_TOOL, backupFiles, BACKUPS_KEPT } from "../../core/database-host";
import { files, planOf } from "../unit/plan-fixture";

/**
 * The database host's files through real checkers: the backup job's units through
 * `systemd-analyze verify`, its two commands through shellcheck, and through bash with
 * mariadb-dump and mariadb stubbed (the dump kept, the oldest removed, the restore's order).
 */
const web = planOf({
  hosts: '["192.0.2.10", "192.0.2.11"]',
  loadBalancerHost: "192.0.2.20",
  databaseHost: "192.0.2.30",
});
const backup = backupFiles(files, web);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, input?: string) {
  const result = spawnSync(command, args, { encoding: "utf8", env, input });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-dbhost-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test("the backup service and its timer pass systemd-analyze verify with no warning", () => {
  // Side by side, as on the server, with MariaDB's unit a stand-in and the command where the
  // unit runs it (verify fails on a missing ExecStart).
  const tool = path.join(dir, "hbnb-stack-backup-tool");
  fs.writeFileSync(tool, backup.backup, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "mariadb.service"), "[Service]\nExecStart=/bin/true\n");
  fs.writeFileSync(path.join(dir, "hbnb-stack-backup.service"), backup.service.replace(BACKUP_TOOL, tool));
  const timer = path.join(dir, "hbnb-stack-backup.timer");
  fs.writeFileSync(timer, backup.timer);
  const result = run("systemd-analyze", ["verify", path.join(dir, "hbnb-stack-backup.service"), timer]);
  expect([result.stderr, result.code]).toEqual(["", 0]);
  // The check can fail: a key systemd does not know.
  fs.writeFileSync(timer, backup.timer.replace("Persistent=", "Persistant="));
  expect(run("systemd-analyze", ["verify", timer]).stderr).toContain("Persistant");
});

test("the backup and restore commands pass shellcheck", () => {
  for (const [name, text] of [
    ["backup", backup.backup],
    ["restore", backup.restore],
  ]) {
    expect([name, run("shellcheck", ["-"], process.env, text).stdout]).toEqual([name, ""]);
  }
});

/** The command TEXT with the backup directory in DIR, run by bash with stubs first on PATH. */
function runTool(text: string, args: string[] = []) {
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin, { recursive: true });
  // mariadb-dump prints a dump; mariadb records every SQL it is given, from -e or stdin.
  fs.writeFileSync(path.join(bin, "mariadb-dump"), '#!/bin/sh\necho "-- dump of $*"\n', { mode: 0o755 });
  fs.writeFileSync(
    path.join(bin, "mariadb"),
    `#!/bin/sh\n{ if [ "$1" = -e ]; then echo "$2"; else cat; fi; } >>${dir}/sql.log\n`,
    { mode: 0o755 },
  );
  const script = path.join(dir, "tool");
  fs.writeFileSync(script, text.replaceAll(BACKUP_DIR, path.join(dir, "backups")));
  return run("bash", [script, ...args], { ...process.env, PATH: `${bin}:${process.env.PATH}` });
}

test(`the backup dumps the database into a new file and keeps the newest ${BACKUPS_KEPT}`, () => {
  const backups = path.join(dir, "backups");
  fs.mkdirSync(backups);
  const old = Array.from({ length: BACKUPS_KEPT }, (_, i) => `hbnb-2026010${i + 1}T031500Z.sql.gz`);
  for (const name of old) fs.writeFileSync(path.join(backups, name), "");
  const result = runTool(backup.backup);
  expect([result.stderr, result.code]).toEqual(["", 0]);
  const kept = fs.readdirSync(backups).sort();
  expect(kept).toHaveLength(BACKUPS_KEPT);
  expect(kept.slice(0, -1)).toEqual(old.slice(1));
  const dump = kept[kept.length - 1];
  expect(dump).toMatch(/^hbnb-\d{8}T\d{6}Z\.sql\.gz$/);
  expect(run("gzip", ["-dc", path.join(backups, dump)]).stdout).toBe(
    "-- dump of --single-transaction --routines --triggers --databases hbnb\n",
  );
  expect(result.stdout).toContain(`removed the old dump ${backups}/${old[0]}\n`);
  expect(fs.statSync(path.join(backups, dump)).mode & 0o777).toBe(0o600);
});

test("the restore drops the database, then feeds it the newest dump (or the one named); a damaged one changes nothing", () => {
  const backups = path.join(dir, "backups");
  fs.mkdirSync(backups);
  const gz = (sql: string) => spawnSync("gzip", ["-c"], { input: sql }).stdout;
  fs.writeFileSync(path.join(backups, "hbnb-20260101T031500Z.sql.gz"), gz("-- old\n"));
  fs.writeFileSync(path.join(backups, "hbnb-20260102T031500Z.sql.gz"), gz("-- new\n"));
  const newest = runTool(backup.restore);
  expect([newest.stderr, newest.code]).toEqual(["", 0]);
  expect(fs.readFileSync(path.join(dir, "sql.log"), "utf8")).toBe("DROP DATABASE IF EXISTS `hbnb`\n-- new\n");
  fs.rmSync(path.join(dir, "sql.log"));
  const named = runTool(backup.restore, [path.join(backups, "hbnb-20260101T031500Z.sql.gz")]);
  expect(named.code).toBe(0);
  expect(fs.readFileSync(path.join(dir, "sql.log"), "utf8")).toBe("DROP DATABASE IF EXISTS `hbnb`\n-- old\n");
  fs.rmSync(path.join(dir, "sql.log"));
  fs.writeFileSync(path.join(backups, "hbnb-20260103T031500Z.sql.gz"), "not gzip");
  const damaged = runTool(backup.restore);
  expect(damaged.code).toBe(1);
  expect(damaged.stderr).toContain("is damaged (gzip -t): the database is unchanged");
  expect(fs.existsSync(path.join(dir, "sql.log"))).toBe(false);
});
