import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BalancerPlan, buildBalancerPlan, HAPROXY_CONFIG_PATH, WebServer } from "../../core/balancer";
import { APP_DIR, Bundle, buildBundle } from "../../core/bundle";
import { BACKUP_DIR, buildDatabaseHostPlan, DatabaseHostPlan } from "../../core/database-host";
import { loadServerFiles } from "../../core/files";
import { buildPlan } from "../../core/plan";
import { backendStat, roll, RollFailed, STAT_FIELDS } from "../../local/balancer";
import { reboot, stateDir, stateFile } from "../../local/hosts";
import { runPlan, undoPlan } from "../../local/runner";
import { databaseTls, shareSecrets } from "../../local/secrets";
import { alone, busy } from "./alone";
import { ssh } from "../../local/ssh";
import { json, TestServer } from "./server";
import { expectNoFailure, underLoad, until } from "./wait";

/**
 * Two web servers behind a third that runs HAProxy (loadBalancerHost), and a fourth that runs
 * MariaDB for both (databaseHost), all booted local servers: both serve through HAProxy and share
 * one database, a rolling deploy of a new release under load through it fails no request, and
 * the database host may reboot under load (JSON 503 while it is down, nothing lost, no manual
 * step after). The four share the stack's secrets, as one stack's servers do.
 */
jest.setTimeout(15 * 60_000);
const files = loadServerFiles();
const lb = new TestServer("hbnb-lb");
const db = new TestServer("hbnb-db");
const webs = [new TestServer("hbnb-web1"), new TestServer("hbnb-web2")];
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-balancer-"));
let servers: WebServer[];
let next: Bundle;
let lbPlan: BalancerPlan;
let dbPlan: DatabaseHostPlan;

/** A release of the app with TEXT added at the end of hbnb/wsgi.py. */
function releaseWith(name: string, text: string): Bundle {
  const app = path.join(work, name, "app");
  fs.cpSync(APP_DIR, app, { recursive: true });
  fs.appendFileSync(path.join(app, "hbnb", "wsgi.py"), text);
  return buildBundle(path.join(work, name, "build"), app);
}

/** Rolls BUNDLE over both web servers through the load balancer. */
const rollOut = (bundle: Bundle) =>
  roll(
    lb.target,
    webs.map((web, i) => ({ server: servers[i], deploy: () => web.deploy(buildPlan(web.settings, bundle, files)) })),
    files,
    (line) => lb.log.push(line),
  );

/** HAProxy's `show stat` lines of the web backend's servers: name → its fields (1-based, as in the CSV). */
const stat = () => backendStat(lb);
const STATUS = STAT_FIELDS.status;
const STOT = STAT_FIELDS.stot;

beforeAll(async () => {
  await Promise.all([lb, db, ...webs].map((server) => server.create()));
  // The stack's secrets, the database host's TLS among them, the same on the four servers.
  databaseTls(stateDir(webs[0].name), db.host.address);
  shareSecrets(
    stateDir(webs[0].name),
    [lb, db, webs[1]].map((server) => stateDir(server.name)),
  );
  servers = webs.map((web) => ({ name: web.name, address: web.host.address }));
  // The stack: two web servers, HAProxy and MariaDB each on a server of its own.
  const stack = {
    hosts: JSON.stringify(servers.map((s) => s.address)),
    loadBalancerHost: lb.host.address,
    databaseHost: db.host.address,
    // The API under load from this one machine: no per-address limit (Nginx's 429) in the way.
    apiRateLimit: "0",
  };
  for (const server of [lb, db, ...webs]) server.configure(stack);
  lbPlan = buildBalancerPlan(lb.settings, webs[0].plan, servers, files);
  dbPlan = buildDatabaseHostPlan(
    db.settings,
    webs[0].plan,
    servers.map((s) => s.address),
    files,
  );
  // The database host first (the web servers' schema step needs it), HAProxy beside it.
  await busy(() =>
    Promise.all([
      runPlan(lb.target, lbPlan, { stateFile: stateFile(lb.name), secrets: {}, log: (line) => lb.log.push(line) }),
      runPlan(db.target, dbPlan, {
        stateFile: stateFile(db.name),
        secrets: db.secrets(),
        log: (line) => db.log.push(line),
      }),
    ]),
  );
  // One after the other, as the Pulumi driver does with a shared database: one makes the schema.
  for (const web of webs) await web.deploy();
  await until("HAProxy reports both web servers UP", 60, async () =>
    Object.values(await stat()).every((row) => row[STATUS] === "UP"),
  );
});
afterAll(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  await Promise.all([lb, db, ...webs].map((server) => server.destroy()));
});

test("HAProxy lists both web servers UP, and round robin sends requests to each", async () => {
  const before = await stat();
  expect(Object.keys(before).sort()).toEqual(servers.map((s) => s.name).sort());
  for (let i = 0; i < 10; i++) expect((await lb.http("/api/v1/status")).status).toBe(200);
  const after = await stat();
  const served = servers.map((s) => Number(after[s.name][STOT]) - Number(before[s.name][STOT]));
  expect(served.reduce((a, b) => a + b)).toBe(10);
  for (const n of served) expect(n).toBeGreaterThan(0);
});

test("a rolling deploy of a new release under load through HAProxy fails no request", async () => {
  next = releaseWith("next", "\n# the next release\n");
  const { loads } = await underLoad(lb, () => rollOut(next));
  console.log(`roll under load through HAProxy: ${JSON.stringify(loads.map((l) => [l.url, l.requests, l.errors]))}`);
  expectNoFailure(loads);
  for (const web of webs) expect(await web.serving(buildPlan(web.settings, next, files))).toBe(next.release);
  expect(Object.values(await stat()).map((row) => row[STATUS])).toEqual(["UP", "UP"]);
});

test("a release that fails on the first server stops the roll there: it stays drained, the second untouched", async () => {
  const broken = releaseWith("broken", '\nraise RuntimeError("crash at start")\n');
  let error: unknown;
  await rollOut(broken).catch((e: unknown) => (error = e));
  expect(error).toBeInstanceOf(RollFailed);
  const failed = error as RollFailed;
  expect([failed.server, failed.untouched]).toEqual([servers[0].name, [servers[1].name]]);
  expect(failed.message).toMatch(
    new RegExp(`^rolling deploy stopped at ${servers[0].name}: step switch failed:.*crash at start`, "s"),
  );
  expect(failed.message).toContain(`not deployed, still on their release: ${servers[1].name}`);
  // The switch kept the good release on the first; HAProxy sends nothing to it until a good roll.
  for (const web of webs) expect(await web.serving(buildPlan(web.settings, next, files))).toBe(next.release);
  expect(Object.values(await stat()).map((row) => row[STATUS])).toEqual(["DRAIN", "UP"]);
  // The good release again: its steps are unchanged, and the roll puts the first server back.
  await rollOut(next);
  expect(Object.values(await stat()).map((row) => row[STATUS])).toEqual(["UP", "UP"]);
});

test("a web server cut off mid-load: few failures until HAProxy marks it DOWN, none after; back UP after a boot", async () => {
  const victim = webs[1];
  // The server's link on this machine (local/net.sh: veth hbnb-vN): down, it is gone for the
  // load balancer as a powered-off server is (no answer, not even a reset).
  const veth = /dev (\S+)/.exec(execFileSync("ip", ["route", "get", victim.host.address], { encoding: "utf8" }))![1];
  const before = await underLoad(lb, async () => {
    execFileSync("ip", ["link", "set", veth, "down"]);
    await until(
      "HAProxy marks the cut-off server DOWN",
      60,
      async () => (await stat())[victim.name][STATUS] === "DOWN",
    );
    // Requests that were on their way to it end with HAProxy's 504 after timeout server (65 s).
    await until("no request is left on the cut-off server", 120, async () => (await stat())[victim.name][5] === "0");
  });
  const failed = before.loads.reduce((n, l) => n + Object.values(l.errors).reduce((a, b) => a + b, 0), 0);
  console.log(
    `cut off mid-load: ${failed} failed request(s) of ${before.loads.reduce((n, l) => n + l.requests, 0)}: ${JSON.stringify(before.loads.map((l) => [l.url, l.errors]))}`,
  );
  // Each of wrk's connections (8 a path) has one request in flight at a time, and one stuck on
  // the cut-off server holds it until after HAProxy marks it DOWN: at most one failure each.
  expect(failed).toBeLessThanOrEqual(before.loads.length * 8);
  const after = await underLoad(lb, async () => {
    for (let i = 0; i < 20; i++) expect((await lb.http("/")).status).toBe(200);
  });
  expectNoFailure(after.loads);
  expect((await stat())[victim.name][STATUS]).toBe("DOWN");
  // Power back: the link up, and a boot; no deploy, no command on the load balancer.
  execFileSync("ip", ["link", "set", veth, "up"]);
  await busy(() => reboot(victim.name));
  await until("HAProxy marks the rebooted server UP", 120, async () => (await stat())[victim.name][STATUS] === "UP");
  const served = Number((await stat())[victim.name][STOT]);
  for (let i = 0; i < 4; i++) expect((await lb.http("/")).status).toBe(200);
  expect(Number((await stat())[victim.name][STOT])).toBeGreaterThan(served);
});

/**
 * Python for a web server (stdin of `sudo python3 - MODE [CA]`): connects to the database host as
 * the app does (its environment's login), with TLS checked against the stack's CA (stack), another
 * CA (other), or no TLS (plain); prints "connected <TLS version>" or "refused <MariaDB's error>".
 */
const CONNECT = `
import sys, MySQLdb
env = dict(l.split("=", 1) for l in open("/etc/hbnb/hbnb.env").read().splitlines() if "=" in l and l[0] != "#")
login = dict(host=env["HBNB_MYSQL_HOST"], user=env["HBNB_MYSQL_USER"], passwd=env["HBNB_MYSQL_PWD"],
             db=env["HBNB_MYSQL_DB"], connect_timeout=5)
tls = {"stack": {"ssl": {"ca": "/etc/hbnb/database-ca.pem"}}, "plain": {}}.get(sys.argv[1], {"ssl": {"ca": sys.argv[-1]}})
try:
    cursor = MySQLdb.connect(**login, **tls).cursor()
    cursor.execute("SHOW STATUS LIKE 'Ssl_version'")
    print("connected", cursor.fetchone()[1])
except MySQLdb.Error as error:
    print("refused", error.args[0])
`;

/** Whether a TCP connection from SERVER to the database host's port 3306 succeeds (3 s at most). */
const opens3306 = async (server: TestServer): Promise<boolean> =>
  (await server.sh(`timeout 3 bash -c '</dev/tcp/${db.host.address}/3306'`)).code === 0;

describe("the database host (databaseHost)", () => {
  test("data written through the load balancer is seen from both web servers", async () => {
    const id = await lb.created("/api/v1/states", { name: "Shared" });
    for (const web of webs) {
      const answer = await web.http(`/api/v1/states/${id}`);
      expect([web.name, answer.status, JSON.parse(answer.body).name]).toEqual([web.name, 200, "Shared"]);
    }
  });

  // README, "The page at static speed": each server's watcher polls the shared generation every
  // 0.25 s. Alone (alone.ts): the bound is measured on the machine's one clock, which the servers
  // share with this test.
  test("a write on one web server is on the other's cached page within 1 s", () =>
    alone(async () => {
      const [writer, reader] = webs;
      const name = "Seen Across Servers";
      // On the reader: its page cached (a HIT), then polled until the new state is on it.
      const probe = [
        "import time, urllib.request",
        "def page():",
        '    with urllib.request.urlopen("http://127.0.0.1/") as r:',
        '        return r.headers.get("X-Cache-Status"), r.read().decode()',
        "page()",
        'print("cached", page()[0], flush=True)',
        "start = time.time()",
        "while time.time() - start < 20:",
        `    if "${name}" in page()[1]:`,
        '        print("seen", time.time(), flush=True)',
        "        break",
        "    time.sleep(0.01)",
      ].join("\n");
      let cached!: (line: string) => void;
      const isCached = new Promise<string>((resolve) => (cached = resolve));
      const lines: string[] = [];
      const probing = ssh(reader.target, "python3 -", probe, (line) => {
        lines.push(line);
        if (line.startsWith("cached ")) cached(line);
      });
      expect(await Promise.race([isCached, probing.then((r) => r.output)])).toBe("cached HIT");
      await writer.created("/api/v1/states", { name });
      const acknowledged = Date.now() / 1000;
      expect((await probing).code).toBe(0);
      const seen = lines.find((line) => line.startsWith("seen "));
      expect(seen).toBeDefined();
      const stale = Number(seen!.split(" ")[1]) - acknowledged;
      console.log(`a write on ${writer.name} was on ${reader.name}'s page ${stale.toFixed(3)} s after its answer`);
      expect(stale).toBeLessThan(1);
    }));

  test("MariaDB admits the web servers only: its accounts and the firewall; 3306 closed to others", async () => {
    const accounts = await db.run(`sudo mariadb -N -e "SELECT Host FROM mysql.user WHERE User = 'hbnb' ORDER BY Host"`);
    expect(accounts.split("\n").sort()).toEqual(servers.map((s) => s.address).sort());
    for (const web of webs) expect([web.name, await opens3306(web)]).toEqual([web.name, true]);
    // This machine (the test runner) and the load balancer: dropped by the firewall.
    expect(await db.reachable(3306)).toBe(false);
    expect(await opens3306(lb)).toBe(false);
    // MariaDB itself listens for them (the firewall is what keeps the others out).
    expect(await db.run("sudo ss -Hltn 'sport = :3306'")).toContain("0.0.0.0:3306");
  });

  test("MariaDB speaks TLS only, with the certificate of the stack's CA, which the web servers check", async () => {
    const other = "/tmp/other-ca.pem";
    await webs[0].run(
      `openssl req -x509 -newkey rsa:2048 -nodes -keyout /tmp/other-ca.key -out ${other} -days 1 -subj /CN=other 2>/dev/null`,
    );
    const connect = async (mode: string) =>
      (await webs[0].run(`sudo python3 - ${mode} ${other}`, CONNECT)).split(" ")[0];
    // The app's way (its URL's ssl_ca): TLS, and MariaDB's certificate passes the check.
    expect(await webs[0].run("sudo python3 - stack", CONNECT)).toMatch(/^connected TLSv1\.[23]$/);
    // Without TLS: refused. Checking the certificate against another CA: refused.
    expect(await connect("plain")).toBe("refused");
    expect(await connect("other")).toBe("refused");
  });

  test("rebooted under load: JSON 503 at once while it is down, nothing lost, serving again with no step", async () => {
    const before = await lb.created("/api/v1/states", { name: "Before the reboot" });
    const answers: { status: number; seconds: number; body: string; type: string | null; id?: string }[] = [];
    let rebooted = false;
    // Writes through the load balancer, one after the other, from before the reboot until the
    // database host is back up and a write has succeeded again.
    const writes = (async () => {
      for (let i = 0; !rebooted || answers[answers.length - 1]?.status !== 201; i++) {
        if (i > 20_000) throw new Error("the writes did not succeed again after the reboot");
        const started = Date.now();
        const answer = await lb.http("/api/v1/states", json({ name: `During the reboot ${i}` }));
        const seconds = (Date.now() - started) / 1000;
        const type = answer.headers.get("content-type");
        answers.push({ status: answer.status, seconds, body: answer.body, type });
        if (answer.status === 201) answers[answers.length - 1].id = (JSON.parse(answer.body) as { id: string }).id;
      }
    })();
    writes.catch(() => undefined); // awaited in the action below; a failure is reported there
    const { loads } = await underLoad(lb, async () => {
      await reboot(db.name);
      rebooted = true;
      await writes;
    }, ["/api/v1/states"]);
    console.log(
      `database host rebooted under load: ${JSON.stringify(loads.map((l) => [l.url, l.requests, l.errors]))}`,
    );
    const down = answers.filter((a) => a.status !== 201);
    const longest = Math.max(...answers.map((a) => a.seconds));
    console.log(
      `writes during the reboot: ${answers.length}, ${down.length} answered 503; the longest answer took ${longest.toFixed(2)} s`,
    );
    // The database was seen down, and every answer then was the app's JSON 503, none a hang.
    expect(down.length).toBeGreaterThan(0);
    for (const a of down) {
      expect([a.status, a.type, JSON.parse(a.body)]).toEqual([
        503,
        "application/json",
        { error: "Database unavailable" },
      ]);
    }
    for (const a of answers) expect(a.seconds).toBeLessThan(5);
    // Nothing written is lost: the state from before and every write that was answered 201.
    const saved = answers.filter((a) => a.id !== undefined).map((a) => a.id!);
    const listed = new Set((JSON.parse((await lb.http("/api/v1/states")).body) as { id: string }[]).map((s) => s.id));
    expect([before, ...saved].filter((id) => !listed.has(id))).toEqual([]);
    // Both web servers serve again by themselves: no deploy, no restart.
    for (const web of webs) {
      await until(
        `${web.name} serves the API again`,
        120,
        async () => (await web.http("/api/v1/states")).status === 200,
      );
    }
  });

  test("the backup job dumps the database, and the restore command puts that dump back", async () => {
    expect(await db.run("systemctl is-enabled hbnb-stack-backup.timer")).toBe("enabled");
    const kept = await lb.created("/api/v1/states", { name: "In the backup" });
    // The unit itself, as the timer starts it.
    await db.run("sudo systemctl start hbnb-stack-backup.service");
    const dumps = (await db.run(`sudo ls ${BACKUP_DIR}`)).split("\n");
    expect(dumps).toEqual([expect.stringMatching(/^hbnb-\d{8}T\d{6}Z\.sql\.gz$/)]);
    const lost = await lb.created("/api/v1/states", { name: "After the backup" });
    expect((await lb.http(`/api/v1/states/${kept}`, { method: "DELETE" })).status).toBe(200);
    const restored = await db.run("sudo hbnb-stack-restore");
    expect(restored).toBe(`restored hbnb from ${BACKUP_DIR}/${dumps[0]}`);
    // Through both web servers, with no restart: the dump's data, and nothing written after it.
    for (const web of webs) {
      expect([web.name, (await web.http(`/api/v1/states/${kept}`)).status]).toEqual([web.name, 200]);
      expect([web.name, (await web.http(`/api/v1/states/${lost}`)).status]).toEqual([web.name, 404]);
    }
  });
});

describe("pulumi destroy on the load balancer and the database host (their undos)", () => {
  test("HAProxy stops, port 80 closes, the distribution's haproxy.cfg is back, the firewall's rules go", async () => {
    expect(await lb.run(`test -f ${HAPROXY_CONFIG_PATH}.dist && echo kept`)).toBe("kept");
    const reports = await undoPlan(lb.target, lbPlan, {
      stateFile: stateFile(lb.name),
      log: (line) => lb.log.push(line),
    });
    expect(reports.map((r) => r.step)).toEqual(["undo-firewall", "undo-haproxy"]);
    expect((await lb.sh("systemctl is-active haproxy")).out).toBe("inactive");
    expect((await lb.sh("systemctl is-enabled haproxy")).out).toBe("disabled");
    expect(await lb.reachable(80)).toBe(false);
    expect((await lb.sh(`grep -c hbnb-stack ${HAPROXY_CONFIG_PATH}`)).out).toBe("0");
    expect((await lb.sh(`test -e ${HAPROXY_CONFIG_PATH}.dist`)).code).toBe(1);
    expect((await lb.sh("sudo ufw status")).out).toBe("Status: inactive");
  });

  test("MariaDB's users of the app, its drop-in, the backup job and the 3306 rules go; the data is kept", async () => {
    const reports = await undoPlan(db.target, dbPlan, {
      stateFile: stateFile(db.name),
      log: (line) => db.log.push(line),
    });
    expect(reports.map((r) => r.step)).toEqual(["undo-firewall", "undo-backup", "undo-mariadb"]);
    expect(await db.run(`sudo mariadb -N -e "SELECT COUNT(*) FROM mysql.user WHERE User = 'hbnb'"`)).toBe("0");
    expect(await db.run(`sudo mariadb -N -e "SHOW DATABASES LIKE 'hbnb'"`)).toBe("hbnb");
    expect((await db.sh("test -e /etc/mysql/mariadb.conf.d/60-hbnb-stack.cnf")).code).toBe(1);
    expect((await db.sh("test -e /etc/mysql/hbnb-stack-tls")).code).toBe(1);
    expect((await db.sh("systemctl is-enabled hbnb-stack-backup.timer")).code).not.toBe(0);
    expect((await db.sh("test -e /usr/local/sbin/hbnb-stack-restore")).code).toBe(1);
    // destroyKeepsData (true by default): the dumps stay.
    expect(await db.run(`sudo ls ${BACKUP_DIR} | wc -l`)).toBe("1");
    expect((await db.sh("sudo ufw show added")).out).not.toContain("3306");
    // The distribution's settings: no TCP port listening but loopback's.
    expect(await db.run("sudo ss -Hltn 'sport = :3306'")).not.toContain("0.0.0.0:3306");
  });
});
