import * as fs from "fs";
import * as path from "path";
import { BACKUP_DIR, buildDatabaseHostPlan, DATABASE_HOST_PACKAGES } from "../../core/database-host";
import { carriesSecrets, packages, Plan, secretNames, secretToken, Step, undoSteps } from "../../core/plan";
import { parseSettings } from "../../core/settings";
import { base, files, planOf } from "./plan-fixture";

/**
 * databaseHost in the plans: the database host's own plan (MariaDB on TCP for the web servers'
 * addresses only, the backup job, the firewall, each with its undo), and the web servers' plan
 * (no MariaDB of their own, the URL of the database host in their environment, IP for the app).
 */
const shared = {
  hosts: '["192.0.2.10", "192.0.2.11", "192.0.2.30"]',
  loadBalancerHost: "192.0.2.20",
  databaseHost: "192.0.2.30",
};
const settings = parseSettings({ ...base, ...shared });
const web = planOf(shared);
const clients = ["192.0.2.10", "192.0.2.11"];
const plan = buildDatabaseHostPlan(settings, web, clients, files);
const TOKEN = secretToken("databasePassword");

/** The exports at the top of a script's text, as a map (values as bash reads them). */
function valuesOf(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const exports = text.slice(2, text.indexOf(files.scripts.lib));
  for (const match of exports.matchAll(/^export ([A-Z_]+)='((?:[^']|'\\'')*)'$/gm)) {
    values[match[1]] = match[2].replace(/'\\''/g, "'");
  }
  return values;
}
const byName = (p: { steps: Step[] }) => Object.fromEntries(p.steps.map((s) => [s.name, s]));
const steps = byName(plan);
const undoText = (command: string) => Buffer.from(/printf %s (\S+) \|/.exec(command)![1], "base64").toString("utf8");

test("wait, packages, mariadb, backup, firewall: MariaDB and ufw only, the password as the drivers' token", () => {
  expect(plan.steps.map((s) => s.name)).toEqual(["wait", "packages", "mariadb", "backup", "firewall"]);
  expect(valuesOf(steps.packages.stdin).HBNB_PACKAGES).toBe(DATABASE_HOST_PACKAGES.join(" "));
  expect(DATABASE_HOST_PACKAGES).toEqual(["mariadb-server", "ufw"]);
  const values = valuesOf(steps.mariadb.stdin);
  expect({ ...values, HBNB_DB_CONFIG: undefined }).toEqual({
    HBNB_STEP: "mariadb",
    HBNB_DB_NAME: "hbnb",
    HBNB_DB_USER: "hbnb",
    HBNB_DB_CONFIG_PATH: "/etc/mysql/mariadb.conf.d/60-hbnb-stack.cnf",
    HBNB_DB_HOSTS: "192.0.2.10 192.0.2.11",
    HBNB_DB_TLS_DIR: "/etc/mysql/hbnb-stack-tls",
    HBNB_DB_PASSWORD: TOKEN,
    HBNB_DB_TLS_CA: secretToken("databaseCa"),
    HBNB_DB_TLS_CERT: secretToken("databaseCert"),
    HBNB_DB_TLS_KEY: secretToken("databaseKey"),
    HBNB_DB_CONFIG: undefined,
  });
  expect([steps.mariadb.secrets, carriesSecrets(steps.mariadb)]).toEqual([
    ["databasePassword", "databaseCa", "databaseCert", "databaseKey"],
    true,
  ]);
  expect(steps.mariadb.summary).toBe("MariaDB on port 3306; database hbnb and its user at 192.0.2.10, 192.0.2.11");
});

test("MariaDB's drop-in: TCP on every IPv4 address, port 3306, no name resolution, TLS only; each directive commented", () => {
  const lines = plan.config.split("\n");
  const directives = lines.filter((line) => line !== "" && !line.startsWith("#"));
  expect(directives).toEqual([
    "[mysqld]",
    "skip-networking = 0",
    "bind-address = 0.0.0.0",
    "port = 3306",
    "skip-name-resolve",
    "ssl_ca = /etc/mysql/hbnb-stack-tls/ca.pem",
    "ssl_cert = /etc/mysql/hbnb-stack-tls/server.pem",
    "ssl_key = /etc/mysql/hbnb-stack-tls/server-key.pem",
    "require_secure_transport = ON",
  ]);
  // Each under its comment; the three TLS files under one.
  for (const directive of directives.slice(1).filter((d) => !/^ssl_(cert|key) /.test(d)))
    expect([directive, lines[lines.indexOf(directive) - 1]]).toEqual([directive, expect.stringMatching(/^# /)]);
});

test("the firewall: SSH, no HTTP, MariaDB's port from the web servers' addresses", () => {
  expect(valuesOf(steps.firewall.stdin)).toEqual({
    HBNB_STEP: "firewall",
    HBNB_SSH_PORT: "22",
    HBNB_HTTP: "no",
    HBNB_DATABASE_CLIENTS: "192.0.2.10 192.0.2.11",
  });
});

test("the backup job: a daily timer, a dump kept in the backup directory, a restore command", () => {
  const values = valuesOf(steps.backup.stdin);
  expect(values.HBNB_BACKUP_DIR).toBe(BACKUP_DIR);
  expect(values.HBNB_BACKUP_TIMER).toMatch(/^OnCalendar=\*-\*-\* 03:15:00$/m);
  expect(values.HBNB_BACKUP_TIMER).toMatch(/^Persistent=true$/m);
  expect(values.HBNB_BACKUP_SERVICE).toMatch(/^ExecStart=\/usr\/local\/sbin\/hbnb-stack-backup$/m);
  expect(values.HBNB_BACKUP_SCRIPT).toContain(
    "mariadb-dump --single-transaction --routines --triggers --databases hbnb | gzip >",
  );
  expect(values.HBNB_BACKUP_SCRIPT).toContain("| sort -r | tail -n +8)");
  expect(values.HBNB_RESTORE_SCRIPT).toContain('gunzip -c "$file" | mariadb\n');
  expect(steps.backup.secrets).toEqual([]);
});

test("the undos, in reverse order: firewall, backup, mariadb; the data kept or removed as destroyKeepsData says", () => {
  expect(undoSteps(plan as unknown as Plan).map((u) => u.name)).toEqual([
    "undo-firewall",
    "undo-backup",
    "undo-mariadb",
  ]);
  expect(valuesOf(undoText(steps.mariadb.undo!.command))).toMatchObject({
    HBNB_DB_HOSTS: "192.0.2.10 192.0.2.11",
    HBNB_KEEP_DATA: "true",
  });
  expect(valuesOf(undoText(steps.firewall.undo!.command)).HBNB_DATABASE_CLIENTS).toBe("192.0.2.10 192.0.2.11");
  const removing = buildDatabaseHostPlan(
    parseSettings({ ...base, ...shared, destroyKeepsData: "false" }),
    web,
    clients,
    files,
  );
  expect(valuesOf(undoText(byName(removing).backup.undo!.command)).HBNB_KEEP_DATA).toBe("false");
  expect(byName(removing).backup.undo!.summary).toBe("remove the backup job, its commands and the backups");
  // No secret in an undo: the password is not needed to drop a user.
  for (const s of plan.steps) expect(s.undo?.command ?? "").not.toContain("hbnb-secret");
});

test("a database host for no web server is refused", () => {
  expect(() => buildDatabaseHostPlan(settings, web, [], files)).toThrow(
    "a database host needs at least one web server to serve",
  );
});

describe("the web servers' plan with databaseHost", () => {
  const webSteps = byName(web);
  test("no MariaDB of their own: the driver only, and no mariadb step", () => {
    expect(web.steps.map((s) => s.name)).not.toContain("mariadb");
    expect(packages(settings)).toContain("python3-mysqldb");
    expect(packages(settings)).not.toContain("mariadb-server");
    // And the database host's CA (not its key): the app checks MariaDB's certificate against it.
    expect(secretNames(settings)).toEqual(["flaskSecretKey", "apiToken", "databasePassword", "databaseCa"]);
  });

  test("the environment: the database host's URL over TCP, and the classic variables", () => {
    const env = valuesOf(webSteps.secrets.stdin).HBNB_ENV_FILE;
    const lines = env.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
    expect(lines.slice(0, 6)).toEqual([
      `HBNB_DATABASE_URL=mysql+mysqldb://hbnb:${TOKEN}@192.0.2.30:3306/hbnb?charset=utf8mb4&ssl_ca=/etc/hbnb/database-ca.pem`,
      "HBNB_MYSQL_USER=hbnb",
      `HBNB_MYSQL_PWD=${TOKEN}`,
      "HBNB_MYSQL_HOST=192.0.2.30",
      "HBNB_MYSQL_DB=hbnb",
      "HBNB_ENV=production",
    ]);
  });

  test("the secrets step writes the CA's certificate beside the environment; its undo removes it", () => {
    expect(valuesOf(webSteps.secrets.stdin)).toMatchObject({
      HBNB_DB_CA_PATH: "/etc/hbnb/database-ca.pem",
      HBNB_DB_CA: secretToken("databaseCa"),
    });
    expect(valuesOf(undoText(webSteps.secrets.undo!.command))).toMatchObject({
      HBNB_DB_CA_PATH: "/etc/hbnb/database-ca.pem",
    });
    expect(valuesOf(byName(planOf()).secrets.stdin).HBNB_DB_CA_PATH).toBeUndefined();
  });

  test("the app's unit reaches IP (the database host), and neither wants nor waits for a MariaDB of its own", () => {
    const unit = web.configs.unit;
    expect(unit).toMatch(/^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6$/m);
    expect(unit).not.toMatch(/PrivateNetwork=yes|IPAddressDeny=any|mariadb.service/);
  });
});

test("database rds: the app's unit reaches IP too (RDS over TCP), not a private network", () => {
  const publicKey = fs.readFileSync(path.join(__dirname, "..", "fixtures", "id_ed25519.pub"), "utf8").trim();
  const aws = { target: "aws", hosts: "[]", adminCidrs: '["203.0.113.7/32"]', publicKey };
  const unit = planOf({ ...aws, instanceCount: "2", database: "rds" }).configs.unit;
  expect(unit).toMatch(/^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6$/m);
  expect(unit).not.toMatch(/PrivateNetwork=yes/);
});
