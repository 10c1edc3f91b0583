import { carriesSecrets, packages, Plan, secretNames, undoSteps } from "../../core/plan";
import { parseSettings, RawConfig } from "../../core/settings";
import { base, files, planOf } from "./plan-fixture";

/**
 * database: mariadb in the plan: MariaDB from the packages step, a mariadb step (and its undo)
 * after the users step, the password as the secret databasePassword in exactly the steps that
 * need it, the app's environment and its unit.
 */
const byName = (plan: Plan) => Object.fromEntries(plan.steps.map((s) => [s.name, s]));
const mariadb = planOf({ database: "mariadb" });
const steps = byName(mariadb);
const TOKEN = "@@hbnb-secret:databasePassword@@";

/** The exports at the top of a step's stdin, as a map (values as bash reads them). */
function valuesOf(stdin: string): Record<string, string> {
  const values: Record<string, string> = {};
  const exports = stdin.slice(2, stdin.indexOf(files.scripts.lib));
  for (const match of exports.matchAll(/^export ([A-Z_]+)='((?:[^']|'\\'')*)'$/gm)) {
    values[match[1]] = match[2].replace(/'\\''/g, "'");
  }
  return values;
}

/** What the undo's command carries, decoded. */
const undoText = (command: string) => Buffer.from(/printf %s (\S+) \|/.exec(command)![1], "base64").toString("utf8");

test("adds the mariadb step after the users, before the release, its secrets and the schema", () => {
  expect(mariadb.steps.map((s) => s.name)).toEqual([
    "wait",
    "packages",
    "users",
    "mariadb",
    "release",
    "configs",
    "secrets",
    "database",
    "switch",
    "harden",
    "firewall",
    "prune",
  ]);
  // SQLite (the default) and a database URL have none.
  expect(planOf().steps.map((s) => s.name)).not.toContain("mariadb");
  expect(planOf({ databaseUrl: "mysql+mysqldb://u:p@db.example.com/hbnb" }).steps.map((s) => s.name)).not.toContain(
    "mariadb",
  );
});

test("installs MariaDB's server and the app's MySQL driver", () => {
  const settings = parseSettings({ ...base, database: "mariadb" });
  expect(packages(settings).slice(-2)).toEqual(["mariadb-server", "python3-mysqldb"]);
  expect(valuesOf(steps.packages.stdin).HBNB_PACKAGES.split(" ").slice(-2)).toEqual([
    "mariadb-server",
    "python3-mysqldb",
  ]);
  expect(packages(parseSettings(base))).not.toContain("mariadb-server");
});

test("the mariadb step gets the names, the drop-in and the password as a token the drivers fill in", () => {
  const values = valuesOf(steps.mariadb.stdin);
  expect({ ...values, HBNB_DB_CONFIG: undefined }).toEqual({
    HBNB_STEP: "mariadb",
    HBNB_DB_NAME: "hbnb",
    HBNB_DB_USER: "hbnb",
    HBNB_DB_CONFIG_PATH: "/etc/mysql/mariadb.conf.d/60-hbnb-stack.cnf",
    HBNB_DB_PASSWORD: TOKEN,
    HBNB_DB_CONFIG: undefined,
  });
  // The drop-in's settings, each under its comment.
  const directives = values.HBNB_DB_CONFIG.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
  expect(directives).toEqual(["[mysqld]", "skip-networking", "bind-address = 127.0.0.1", "skip-name-resolve"]);
  expect(steps.mariadb.secrets).toEqual(["databasePassword"]);
  expect(carriesSecrets(steps.mariadb)).toBe(true);
  expect(steps.mariadb.summary).toBe("MariaDB on its unix socket only; database hbnb and its user");
  // The database and user follow the app's user.
  expect(valuesOf(byName(planOf({ database: "mariadb", appUser: "web" })).mariadb.stdin)).toMatchObject({
    HBNB_DB_NAME: "web",
    HBNB_DB_USER: "web",
  });
});

test("the environment: the URL through the socket, the classic variables, HBNB_ENV production", () => {
  const env = valuesOf(steps.secrets.stdin).HBNB_ENV_FILE;
  const lines = env.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
  expect(lines).toEqual([
    `HBNB_DATABASE_URL=mysql+mysqldb://hbnb:${TOKEN}@localhost/hbnb?unix_socket=/run/mysqld/mysqld.sock&charset=utf8mb4`,
    "HBNB_MYSQL_USER=hbnb",
    `HBNB_MYSQL_PWD=${TOKEN}`,
    "HBNB_MYSQL_HOST=localhost",
    "HBNB_MYSQL_DB=hbnb",
    "HBNB_ENV=production",
    "HBNB_SECRET_KEY=@@hbnb-secret:flaskSecretKey@@",
    "HBNB_API_WRITE_ACCESS=token",
    "HBNB_API_TOKEN=@@hbnb-secret:apiToken@@",
  ]);
  // SQLite's environment has none of them.
  const sqlite = valuesOf(byName(planOf()).secrets.stdin).HBNB_ENV_FILE;
  expect(sqlite).not.toMatch(/HBNB_MYSQL|HBNB_ENV=|databasePassword/);
});

test("the password goes to the steps that write it (mariadb, secrets), and re-runs the switch; no other step", () => {
  expect(secretNames(parseSettings({ ...base, database: "mariadb" }))).toEqual([
    "flaskSecretKey",
    "apiToken",
    "databasePassword",
  ]);
  expect(secretNames(parseSettings(base))).toEqual(["flaskSecretKey", "apiToken"]);
  const using = mariadb.steps.filter((s) => s.secrets.includes("databasePassword")).map((s) => s.name);
  expect(using).toEqual(["mariadb", "secrets", "switch"]);
  const carrying = mariadb.steps.filter((s) => s.stdin.includes(TOKEN)).map((s) => s.name);
  expect(carrying).toEqual(["mariadb", "secrets"]);
  // No step of a SQLite stack asks for it: the Pulumi driver makes no such secret there.
  expect(planOf().steps.filter((s) => s.secrets.includes("databasePassword"))).toEqual([]);
});

test("the unit starts after MariaDB, wants it, and keeps the sandbox without IP (MariaDB's socket is a file)", () => {
  const unit = mariadb.configs.unit;
  expect(unit).toMatch(/^Wants=mariadb.service$/m);
  expect(unit).toMatch(/^After=network.target hbnb.socket mariadb.service$/m);
  expect(unit).not.toMatch(/^Requires=mariadb/m);
  expect(unit).toMatch(/^PrivateNetwork=yes$/m);
  expect(unit).toMatch(/^RestrictAddressFamilies=AF_UNIX$/m);
  expect(unit).toMatch(/^IPAddressDeny=any$/m);
  // SQLite's unit has no MariaDB in it; a remote database's keeps IP.
  expect(planOf().configs.unit).not.toMatch(/mariadb/i);
  const remote = planOf({ databaseUrl: "mysql+mysqldb://u:p@db.example.com/hbnb" }).configs.unit;
  expect(remote).toMatch(/^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6$/m);
  expect(remote).not.toMatch(/^PrivateNetwork/m);
});

describe("a change re-runs exactly the steps that use it", () => {
  const rerun = (a: Plan, b: Plan): string[] => {
    const before = byName(a);
    return b.steps
      .filter((s) => !before[s.name] || JSON.stringify(s.triggers) !== JSON.stringify(before[s.name].triggers))
      .map((s) => s.name);
  };
  test.each<[string, RawConfig, RawConfig, string[]]>([
    // The packages step installs MariaDB; the unit and the environment name it.
    [
      "SQLite to MariaDB",
      {},
      { database: "mariadb" },
      ["packages", "mariadb", "configs", "secrets", "database", "switch"],
    ],
    [
      "another app user: its database and user",
      { database: "mariadb" },
      { database: "mariadb", appUser: "web" },
      ["users", "mariadb", "release", "configs", "secrets", "database", "switch", "harden", "prune"],
    ],
    ["the number of workers", { database: "mariadb" }, { database: "mariadb", workers: "5" }, ["configs", "switch"]],
  ])("%s", (_, from, to, expected) => {
    expect(rerun(planOf(from), planOf(to))).toEqual(expected);
  });
});

describe("its undo", () => {
  const undo = (raw: RawConfig = {}) =>
    undoSteps(planOf({ database: "mariadb", ...raw })).find((u) => u.name === "undo-mariadb")!;

  test("runs after the switch's and the release's, before the users' (the reverse of the plan)", () => {
    expect(undoSteps(mariadb).map((u) => u.name)).toEqual([
      "undo-firewall",
      "undo-harden",
      "undo-switch",
      "undo-secrets",
      "undo-configs",
      "undo-release",
      "undo-mariadb",
      "undo-users",
    ]);
  });

  test("drops the user, keeps the database unless destroyKeepsData is false, removes the drop-in", () => {
    const keep = undoText(undo().command);
    expect(keep).toContain("export HBNB_DB_NAME='hbnb'\nexport HBNB_DB_USER='hbnb'\n");
    expect(keep).toContain("export HBNB_DB_CONFIG_PATH='/etc/mysql/mariadb.conf.d/60-hbnb-stack.cnf'\n");
    expect(keep).toContain("export HBNB_KEEP_DATA='true'\n");
    expect(undo().summary).toBe("remove the app's MariaDB user and the stack's MariaDB settings; keep its database");
    expect(undoText(undo({ destroyKeepsData: "false" }).command)).toContain("export HBNB_KEEP_DATA='false'\n");
    expect(undo({ destroyKeepsData: "false" }).summary).toBe(
      "remove the app's MariaDB database and user, and the stack's MariaDB settings",
    );
    // It needs no password: dropping a user does not.
    expect(keep).not.toContain("databasePassword");
  });
});
