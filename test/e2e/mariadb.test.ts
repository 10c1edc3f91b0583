import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { APP_DIR, buildBundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan } from "../../core/plan";
import { reboot, stateDir } from "../../local/hosts";
import { StepReport } from "../../local/runner";
import { busy } from "./alone";
import { json, TestServer } from "./server";

/**
 * database: mariadb end to end, on one booted server shared by the tests in order: the bundled
 * app deployed with MariaDB on the server; the API's writes land in MariaDB through its unix
 * socket from the sandboxed unit; the data stays across a new release, a new password and a
 * reboot; MariaDB answers nothing from outside; the password is in no step's output.
 */
jest.setTimeout(15 * 60_000);
const server = new TestServer("hbnb-e2e-mariadb");
/** Every step report of every deploy of this file: none may show a password. */
const reports: StepReport[] = [];
/** Every password the app's MariaDB user has had here. */
const passwords: string[] = [];
let state: { id: string; name: string };
/** The new release's app and archive: later deploys upload it again (after the undos). */
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-app-"));

const ran = (list: StepReport[]) => list.filter((r) => r.ran).map((r) => r.step);
const outputOf = (list: StepReport[], step: string) => list.find((r) => r.step === step)!.output;

async function deploy(plan = server.plan): Promise<StepReport[]> {
  const list = await server.deploy(plan);
  reports.push(...list);
  return list;
}

/** Runs SQL as MariaDB's root on the server; its rows, tab-separated. */
async function sql(query: string): Promise<string> {
  return server.run("sudo mariadb --batch --skip-column-names", query);
}

/** How a TCP connection from this machine to PORT of the server ends: within 3 s, refused, or no answer. */
function connect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: server.host.address, port });
    const done = (outcome: string): void => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(3000, () => done("timeout"));
    socket.on("connect", () => done("connected"));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      done(error.code === "ECONNREFUSED" ? "refused" : String(error.code)),
    );
  });
}

/** Whether the app's MariaDB user logs in with PASSWORD (MySQLdb through the socket, as the app). */
async function logsIn(password: string): Promise<boolean> {
  const script =
    "import sys, MySQLdb\n" +
    "try:\n" +
    "    MySQLdb.connect(user='hbnb', passwd=sys.stdin.read(), unix_socket='/run/mysqld/mysqld.sock', db='hbnb').close()\n" +
    "    print('in')\n" +
    "except MySQLdb.OperationalError as error:\n" +
    "    print('refused', error.args[0])\n";
  const file = `/tmp/hbnb-e2e-login-${process.pid}.py`;
  await server.run(`cat > ${file}`, script);
  const out = await server.run(`python3 ${file}`, password);
  // 1045: access denied (ER_ACCESS_DENIED_ERROR), the only other answer expected.
  if (out !== "in" && out !== "refused 1045") throw new Error(`unexpected login answer: ${out}`);
  return out === "in";
}

beforeAll(async () => {
  await server.create();
  server.configure({ database: "mariadb" });
  await deploy();
  passwords.push(server.secrets().databasePassword);
});
afterAll(async () => {
  await server.destroy();
  fs.rmSync(work, { recursive: true, force: true });
});

test("a fresh server runs every step, and the mariadb step says what it made", () => {
  expect(ran(reports)).toEqual(server.plan.steps.map((s) => s.name));
  expect(outputOf(reports, "mariadb").trim().split("\n")).toEqual([
    "mariadb: changed: wrote /etc/mysql/mariadb.conf.d/60-hbnb-stack.cnf",
    "mariadb: changed: restarted mariadb for /etc/mysql/mariadb.conf.d/60-hbnb-stack.cnf",
    "mariadb: changed: created database hbnb",
    "mariadb: changed: created user hbnb@localhost",
    "mariadb: changed: granted hbnb@localhost all privileges on hbnb",
    "mariadb: done, 5 change(s)",
  ]);
});

test("MariaDB runs on its socket only, with the stack's database and a user that may use it alone", async () => {
  expect(await sql("SELECT @@skip_networking, @@bind_address, @@skip_name_resolve;")).toBe("1\t127.0.0.1\t1");
  expect((await server.sh("ss -Hltn 'sport = :3306'")).out).toBe("");
  expect(
    await sql("SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'hbnb';"),
  ).toBe("utf8mb4");
  // The USAGE line (it carries the password's hash) says the user has no privilege elsewhere.
  const grants = (await sql("SHOW GRANTS FOR 'hbnb'@'localhost';")).split("\n");
  expect(grants.map((line) => line.replace(/ IDENTIFIED BY PASSWORD '\*[0-9A-F]{40}'$/, ""))).toEqual([
    "GRANT USAGE ON *.* TO `hbnb`@`localhost`",
    "GRANT ALL PRIVILEGES ON `hbnb`.* TO `hbnb`@`localhost`",
  ]);
  expect(await sql("SELECT COUNT(*) FROM mysql.user WHERE User = 'hbnb';")).toBe("1");
  expect((await server.sh("systemctl is-enabled mariadb")).out).toBe("enabled");
});

test("the sandboxed app writes and reads through the API, and its data is in MariaDB (no SQLite file)", async () => {
  const unit = await server.run(
    "systemctl show -p PrivateNetwork -p RestrictAddressFamilies -p IPAddressDeny -p Wants -p After hbnb",
  );
  expect(unit).toMatch(/^PrivateNetwork=yes$/m);
  expect(unit).toMatch(/^RestrictAddressFamilies=AF_UNIX$/m);
  // IPAddressDeny=any, as systemd lists it (in either order).
  expect(unit).toMatch(/^IPAddressDeny=(::\/0 0\.0\.0\.0\/0|0\.0\.0\.0\/0 ::\/0)$/m);
  expect(unit).toMatch(/^Wants=.*\bmariadb\.service\b/m);
  expect(unit).toMatch(/^After=.*\bmariadb\.service\b/m);

  const created = await server.http("/api/v1/states", json({ name: "MariaDB Territory" }));
  expect(created.status).toBe(201);
  state = JSON.parse(created.body) as { id: string; name: string };
  expect(state.name).toBe("MariaDB Territory");
  const read = await server.http(`/api/v1/states/${state.id}`);
  expect(read.status).toBe(200);
  expect((JSON.parse(read.body) as { name: string }).name).toBe("MariaDB Territory");
  expect(await sql(`SELECT name FROM hbnb.states WHERE id = '${state.id}';`)).toBe("MariaDB Territory");
  // The demo data went into the new database too.
  expect(Number(await sql("SELECT COUNT(*) FROM hbnb.states;"))).toBeGreaterThan(1);
  expect((await server.sh("sudo test -e /var/lib/hbnb/hbnb.db && echo there || echo none")).out).toBe("none");
});

test("places_search a page at a time on MariaDB: its indexes exist, a walk by cursor gives one search's places in order", async () => {
  expect(
    (
      await sql(
        "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'hbnb' AND INDEX_NAME LIKE 'ix\\_%';",
      )
    )
      .split("\n")
      .sort(),
  ).toEqual(["ix_place_amenity_amenity", "ix_places_city_id", "ix_places_name_id"]);
  const search = async (body: unknown) => {
    const response = await server.http("/api/v1/places_search", json(body));
    expect(response.status).toBe(200);
    return {
      ids: (JSON.parse(response.body) as { id: string }[]).map((p) => p.id),
      next: response.headers.get("x-next-page"),
    };
  };
  const every = await search({ limit: 1000 });
  expect([every.ids.length, every.next]).toEqual([12, null]);
  const walked: string[] = [];
  let after: string | null = null;
  do {
    const page = await search({ limit: 5, after });
    walked.push(...page.ids);
    after = page.next;
  } while (after !== null);
  expect(walked).toEqual(every.ids);
});

test("the mariadb step, run again, changes nothing", async () => {
  const again = await server.deploy(
    { ...server.plan, steps: server.plan.steps.filter((s) => s.name === "mariadb") },
    {
      force: true,
    },
  );
  reports.push(...again);
  expect(outputOf(again, "mariadb").trim()).toBe("mariadb: unchanged");
});

test("a new release keeps the data", async () => {
  fs.cpSync(APP_DIR, path.join(work, "app"), { recursive: true });
  fs.appendFileSync(path.join(work, "app", "hbnb", "wsgi.py"), "\n# changed by the MariaDB e2e test\n");
  const bundle = buildBundle(path.join(work, "build"), path.join(work, "app"));
  const plan = buildPlan(server.settings, bundle, loadServerFiles());
  const list = await deploy(plan);
  // The plan the later deploys start from: this release stays.
  server.plan = plan;
  expect(ran(list)).toEqual(["release", "database", "switch", "prune"]);
  expect(await server.serving()).toBe(bundle.release);
  const read = await server.http(`/api/v1/states/${state.id}`);
  expect(read.status).toBe(200);
  expect((JSON.parse(read.body) as { name: string }).name).toBe("MariaDB Territory");
  // The schema step found the tables: no demo row added, restored or changed.
  expect(outputOf(list, "database")).not.toContain("changed:");
});

test("the step takes any password as it is: one of quotes and backslashes, set by hand, logs in", async () => {
  const awkward = `it's a \\ "pass" \`word\``;
  const step = server.plan.steps.find((s) => s.name === "mariadb")!;
  const quoted = `'${awkward.replace(/'/g, `'\\''`)}'`;
  const stdin = step.stdin.replace(
    "export HBNB_DB_PASSWORD='@@hbnb-secret:databasePassword@@'",
    `export HBNB_DB_PASSWORD=${quoted}`,
  );
  expect(stdin).not.toContain("@@hbnb-secret:");
  const result = await server.ssh(step.command, stdin);
  expect([result.code, result.output.trim()]).toEqual([
    0,
    "mariadb: changed: set the password of hbnb@localhost (the secret databasePassword)\nmariadb: done, 1 change(s)",
  ]);
  expect(await logsIn(awkward)).toBe(true);
  expect(await logsIn(passwords[0])).toBe(false);
});

test("a new password: the deploy sets it (ALTER USER), the app restarts with it and reads its data", async () => {
  // The local driver's stand-in for `pulumi up --replace` of the RandomPassword.
  const file = path.join(stateDir(server.name), "secrets.json");
  const secrets = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  secrets.databasePassword = "N3wPassw0rdFromTheE2eTest" + Date.now().toString(36);
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  passwords.push(secrets.databasePassword);
  const list = await deploy();
  expect(ran(list)).toEqual(["mariadb", "secrets", "switch"]);
  expect(outputOf(list, "mariadb").trim()).toBe(
    "mariadb: changed: set the password of hbnb@localhost (the secret databasePassword)\nmariadb: done, 1 change(s)",
  );
  expect(await logsIn(secrets.databasePassword)).toBe(true);
  const read = await server.http(`/api/v1/states/${state.id}`);
  expect(read.status).toBe(200);
  // A write too: a new connection, made with the new password.
  const created = await server.http("/api/v1/states", json({ name: "After The New Password" }));
  expect(created.status).toBe(201);
});

test("MariaDB is not reachable from outside: the firewall drops 3306, and with it open nothing listens", async () => {
  // The probe tells the outcomes apart: port 80 answers.
  expect(await connect(80)).toBe("connected");
  // ufw's default policy drops what it does not allow: no answer at all.
  expect(await connect(3306)).toBe("timeout");
  // With 3306 let in, the kernel answers for MariaDB: nothing listens there (skip-networking).
  await server.run("sudo ufw allow 3306/tcp");
  try {
    expect(await connect(3306)).toBe("refused");
  } finally {
    await server.run("sudo ufw delete allow 3306/tcp");
  }
  expect(await connect(3306)).toBe("timeout");
});

test("no password shows in the server's journal", async () => {
  const journal = await server.run("sudo journalctl -o cat --no-pager");
  expect(journal).toContain("mariadb");
  for (const password of passwords) expect(journal).not.toContain(password);
});

test("after a reboot: MariaDB and the app start by themselves, and the data is there", async () => {
  await busy(() => reboot(server.name));
  expect((await server.sh("systemctl is-system-running --wait")).out).toBe("running");
  expect((await server.sh("systemctl is-active mariadb hbnb")).out).toBe("active\nactive");
  const read = await server.http(`/api/v1/states/${state.id}`);
  expect(read.status).toBe(200);
  expect((JSON.parse(read.body) as { name: string }).name).toBe("MariaDB Territory");
  expect((await server.sh("ss -Hltn 'sport = :3306'")).out).toBe("");
});

describe("`pulumi destroy` on the server (the plan's undos)", () => {
  const undoLines = (list: StepReport[]) => outputOf(list, "undo-mariadb").trim().split("\n");

  test("removes the user and the drop-in, keeps the database; MariaDB back on the distribution's settings", async () => {
    const undone = await server.undo(server.plan);
    reports.push(...undone);
    expect(undoLines(undone)).toEqual([
      "undo-mariadb: changed: removed user hbnb@localhost",
      "undo-mariadb: kept database hbnb (destroyKeepsData is true)",
      "undo-mariadb: changed: removed /etc/mysql/mariadb.conf.d/60-hbnb-stack.cnf",
      "undo-mariadb: changed: restarted mariadb with the distribution's settings",
      "undo-mariadb: done, 3 change(s)",
    ]);
    expect(await sql("SELECT COUNT(*) FROM mysql.user WHERE User = 'hbnb';")).toBe("0");
    expect(await sql(`SELECT name FROM hbnb.states WHERE id = '${state.id}';`)).toBe("MariaDB Territory");
    // Debian's 50-server.cnf: loopback, port 3306.
    expect(await sql("SELECT @@skip_networking, @@bind_address;")).toBe("0\t127.0.0.1");
    expect((await server.sh("ss -Hltn 'sport = :3306'")).out).toMatch(/^LISTEN\s+\d+\s+\d+\s+127\.0\.0\.1:3306\s/);
    const again = await server.undo(server.plan);
    reports.push(...again);
    expect(undoLines(again)).toEqual([
      "undo-mariadb: kept database hbnb (destroyKeepsData is true)",
      "undo-mariadb: unchanged",
    ]);
  });

  test("a deploy afterwards makes the user again and serves the kept data", async () => {
    const list = await deploy();
    expect(ran(list)).toEqual(server.plan.steps.map((s) => s.name));
    expect(outputOf(list, "mariadb").trim().split("\n")).toEqual([
      "mariadb: changed: wrote /etc/mysql/mariadb.conf.d/60-hbnb-stack.cnf",
      "mariadb: changed: restarted mariadb for /etc/mysql/mariadb.conf.d/60-hbnb-stack.cnf",
      "mariadb: changed: created user hbnb@localhost",
      "mariadb: changed: granted hbnb@localhost all privileges on hbnb",
      "mariadb: done, 4 change(s)",
    ]);
    const read = await server.http(`/api/v1/states/${state.id}`);
    expect(read.status).toBe(200);
    expect((JSON.parse(read.body) as { name: string }).name).toBe("MariaDB Territory");
  });

  test("with destroyKeepsData false, the database goes too", async () => {
    server.configure({ database: "mariadb", destroyKeepsData: "false" });
    const undone = await server.undo(server.plan);
    reports.push(...undone);
    expect(undoLines(undone)).toEqual([
      "undo-mariadb: changed: removed user hbnb@localhost",
      "undo-mariadb: changed: removed database hbnb (destroyKeepsData is false)",
      "undo-mariadb: changed: removed /etc/mysql/mariadb.conf.d/60-hbnb-stack.cnf",
      "undo-mariadb: changed: restarted mariadb with the distribution's settings",
      "undo-mariadb: done, 4 change(s)",
    ]);
    expect(await sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'hbnb';")).toBe("0");
    expect(await sql("SELECT COUNT(*) FROM mysql.user WHERE User = 'hbnb';")).toBe("0");
  });
});

test("no password shows in any step's output or the deploy log", () => {
  expect(reports.length).toBeGreaterThan(20);
  expect(passwords).toHaveLength(2);
  for (const password of passwords) {
    expect(reports.filter((r) => r.output.includes(password)).map((r) => r.step)).toEqual([]);
    expect(server.log.join("\n")).not.toContain(password);
  }
});
