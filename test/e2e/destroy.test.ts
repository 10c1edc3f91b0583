import { stateFile } from "../../local/hosts";
import { StepReport, undoPlan } from "../../local/runner";
import { ssh } from "../../local/ssh";
import { json, TestServer } from "./server";

/**
 * `pulumi destroy` on a server you already have, on a booted Debian 12 server: the plan's undo
 * scripts (the very commands the Pulumi driver gives its undo Commands as `delete`), run over SSH
 * in reverse plan order by the local driver. The server must come back to what it was before
 * the stack came, with the distribution's packages the stack installed, plus the app's data and
 * logs (and the user and group that own them) unless destroyKeepsData is false.
 */
jest.setTimeout(30 * 60_000);
const server = new TestServer("hbnb-e2e-destroy");

/** What the stack can touch on a server: every path with its type, owner, mode, link and content hash. */
type Inventory = Record<string, string>;

// Where the stack writes (the README's "What lands on the server"), as a distribution lays it out.
const ROOTS = [
  "/etc",
  "/srv",
  "/usr/local",
  "/var/lib/hbnb",
  "/var/lib/hbnb-stack",
  "/var/log/hbnb",
  "/var/log/nginx",
  "/var/cache/nginx-hbnb",
];
// The account databases: compared entry by entry below (useradd and userdel keep backups).
const ACCOUNTS = /^\/etc\/(passwd|group|shadow|gshadow)-?$/;

async function inventory(): Promise<Inventory> {
  // Every entry, then the hash of every regular file, as root (one SSH session, script on stdin).
  const script = [
    `for root in ${ROOTS.join(" ")}; do`,
    "  [[ -e $root ]] || continue",
    '  find "$root" -xdev -printf "%y %p %u:%g %m %l\\n"',
    '  find "$root" -xdev -type f -print0 | xargs -0 -r sha256sum | sed "s/^/sha /"',
    "done",
  ].join("\n");
  const { code, output } = await ssh(server.target, "sudo -n bash -s", script);
  expect(code).toBe(0);
  const lines = output.split("\n").filter(Boolean);
  const sums = Object.fromEntries(
    lines.filter((line) => line.startsWith("sha ")).map((line) => [line.slice(70), line.slice(4, 16)]),
  );
  const entries: Inventory = {};
  for (const line of lines.filter((l) => !l.startsWith("sha "))) {
    const [type, path, owner, mode, link] = line.split(" ");
    // SQLite's own files of an open connection (WAL mode), gone when the last one closes.
    if (ACCOUNTS.test(path) || /\.db-(wal|shm)$/.test(path)) continue;
    // What the app and Nginx write (logs, the database, the history of releases) changes with
    // every request and deploy: whether it is there is what the undo decides.
    const written = ["/var/log/", "/var/lib/hbnb/", "/var/lib/hbnb-stack/"].some((dir) => path.startsWith(dir));
    const content = written ? "" : (sums[path] ?? "");
    entries[path] = [type, owner, mode, link, content].filter(Boolean).join(" ");
  }
  return entries;
}

/** Users and groups, one line each, as getent lists them. */
async function accounts(): Promise<string[]> {
  const { out } = await server.sh("getent passwd; getent group");
  return out.split("\n").sort();
}

/** The paths in B but not in A, in A but not in B, and in both but different. */
function compare(a: Inventory, b: Inventory): { added: string[]; removed: string[]; changed: string[] } {
  return {
    added: Object.keys(b)
      .filter((p) => !(p in a))
      .sort(),
    removed: Object.keys(a)
      .filter((p) => !(p in b))
      .sort(),
    changed: Object.keys(a)
      .filter((p) => p in b && a[p] !== b[p])
      .sort(),
  };
}

/** The server's state outside the file system that the stack changes. */
async function services(): Promise<Record<string, string>> {
  const sh = async (command: string) => (await server.sh(command)).out;
  return {
    enabled: await sh("systemctl list-unit-files --state=enabled --no-legend --no-pager | awk '{print $1}' | sort"),
    ufw: await sh("sudo ufw status verbose; sudo ufw show added"),
    sshd: await sh("sudo sshd -T | sort"),
    nginx: await sh(
      "systemctl is-active nginx; ls -l /etc/nginx/sites-enabled | tail -n +2 | awk '{print $9, $10, $11}'",
    ),
  };
}

const undo = (): Promise<StepReport[]> =>
  undoPlan(server.target, server.plan, { stateFile: stateFile(server.name), log: (line) => server.log.push(line) });

let distribution: Inventory;
let distributionAccounts: string[];
let distributionServices: Record<string, string>;
let deployed: Inventory;
let kept: { id: string; name: string };

beforeAll(async () => {
  await server.create();
  // The distribution's packages the stack installs, at their own defaults: what a destroy keeps.
  await server.deploy({ ...server.plan, steps: server.plan.steps.slice(0, 2) });
  distribution = await inventory();
  distributionAccounts = await accounts();
  distributionServices = await services();
  await server.deploy();
  expect(await server.serving()).toBe(server.plan.release);
  const created = await server.http("/api/v1/states", json({ name: "Kept across a destroy" }));
  expect(created.status).toBe(201);
  kept = JSON.parse(created.body) as { id: string; name: string };
  deployed = await inventory();
});
afterAll(() => server.destroy());

// What goes (besides the files of the release and of Nginx's cache): all the stack put on this Debian 12 server.
const GONE = [
  "/etc/apt/apt.conf.d/52hbnb-stack-auto-upgrades",
  "/etc/fail2ban/jail.d/hbnb-stack.local",
  "/etc/hbnb",
  "/etc/hbnb/gunicorn.conf.py",
  "/etc/hbnb/hbnb.env",
  "/etc/logrotate.d/hbnb",
  // A minimal Debian has no /etc/modprobe.d: the harden step made it, its undo removes it.
  "/etc/modprobe.d",
  "/etc/modprobe.d/hbnb-stack.conf",
  "/etc/nginx/conf.d/hbnb-limits.conf",
  "/etc/nginx/conf.d/hbnb-tuning.conf",
  "/etc/nginx/sites-available/hbnb",
  "/etc/nginx/sites-enabled/hbnb",
  "/etc/nginx/snippets/hbnb-code-cache.conf",
  "/etc/nginx/snippets/hbnb-data-cache.conf",
  "/etc/nginx/snippets/hbnb-guards.conf",
  "/etc/nginx/snippets/hbnb-headers.conf",
  "/etc/nginx/snippets/hbnb-proxy.conf",
  "/etc/profile.d/hbnb-stack.sh",
  "/etc/security/limits.d/hbnb-stack.conf",
  "/etc/ssh/sshd_config.d/10-hbnb-stack.conf",
  "/etc/sysctl.d/90-hbnb-stack.conf",
  "/etc/systemd/coredump.conf.d",
  "/etc/systemd/coredump.conf.d/hbnb-stack.conf",
  "/etc/systemd/system/hbnb.service",
  "/etc/systemd/system/hbnb.socket",
  "/etc/systemd/system/logrotate.timer.d",
  "/etc/systemd/system/logrotate.timer.d/hbnb-stack.conf",
  "/etc/systemd/system/multi-user.target.wants/hbnb.service",
  "/etc/systemd/system/sockets.target.wants/hbnb.socket",
  "/srv/hbnb",
  "/srv/hbnb/current",
  "/srv/hbnb/releases",
  "/usr/local/lib/hbnb-stack",
  "/usr/local/lib/hbnb-stack/lib.sh",
  "/usr/local/lib/hbnb-stack/reload.sh",
  "/usr/local/lib/hbnb-stack/rollback.sh",
  "/usr/local/lib/hbnb-stack/switch.sh",
  "/usr/local/sbin/hbnb-reload",
  "/usr/local/sbin/hbnb-rollback",
  "/var/cache/nginx-hbnb",
  "/var/lib/hbnb-stack",
  "/var/lib/hbnb-stack/hbnb.history",
];

// What stays: the database, Gunicorn's logs, Nginx's log of the static files.
const DATA = [
  "/var/lib/hbnb",
  "/var/lib/hbnb/hbnb.db",
  "/var/log/hbnb",
  "/var/log/hbnb/access.log",
  "/var/log/hbnb/error.log",
  "/var/log/nginx/hbnb-static.log",
];

describe("pulumi destroy, keeping the data (destroyKeepsData: true, the default)", () => {
  let reports: StepReport[];
  let after: Inventory;
  beforeAll(async () => {
    reports = await undo();
    after = await inventory();
  });

  test("runs every undo in reverse plan order, each reporting what it removed", () => {
    expect(reports.map((r) => r.step)).toEqual([
      "undo-firewall",
      "undo-harden",
      "undo-switch",
      "undo-secrets",
      "undo-configs",
      "undo-release",
      "undo-users",
    ]);
    for (const report of reports)
      expect(report.output).toMatch(new RegExp(`^${report.step}: done, \\d+ change\\(s\\)$`, "m"));
  });

  test("removes exactly what the stack put on the server, and puts back what it changed", () => {
    const deploy = compare(distribution, deployed);
    const destroy = compare(deployed, after);
    const release = `/srv/hbnb/releases/${server.plan.release}`;
    // Every file of the release and of Nginx's cache (whatever requests filled it) goes too.
    const named = destroy.removed.filter(
      (p) => !p.startsWith(`${release}/`) && !p.startsWith("/var/cache/nginx-hbnb/"),
    );
    expect(named).toEqual(GONE.concat(release).sort());
    expect(destroy.removed).toEqual(deploy.added.filter((path) => !DATA.includes(path)));
    // The distribution's default site, which the deploy had disabled.
    expect(destroy.added).toEqual(["/etc/nginx/sites-enabled/default"]);
    expect(destroy.added).toEqual(deploy.removed);
    expect(destroy.changed).toEqual([
      "/etc/chkrootkit/chkrootkit.conf",
      "/etc/login.defs",
      "/etc/nginx/nginx.conf",
      "/etc/ufw/sysctl.conf",
      "/etc/ufw/ufw.conf",
      "/etc/ufw/user.rules",
      "/etc/ufw/user6.rules",
    ]);
    expect(destroy.changed).toEqual(deploy.changed);
  });

  test("leaves the distribution's files as they were, plus exactly the app's data and logs", () => {
    expect(compare(distribution, after)).toEqual({ added: DATA, removed: [], changed: [] });
  });

  test("keeps the app's user and group, which own the kept data; Nginx's user leaves the group", async () => {
    const now = await accounts();
    const added = now.filter((line) => !distributionAccounts.includes(line));
    expect(added).toHaveLength(2);
    expect(added).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^hbnb:x:\d+:$/),
        expect.stringMatching(/^hbnb:x:\d+:\d+::\/var\/lib\/hbnb:\/usr\/sbin\/nologin$/),
      ]),
    );
    expect(distributionAccounts.filter((line) => !now.includes(line))).toEqual([]);
  });

  test("leaves no hbnb unit, ufw as it was, the distribution's SSH settings, Nginx on its default site", async () => {
    expect(await services()).toEqual(distributionServices);
    expect(
      (await server.sh("systemctl list-units --all --no-legend 'hbnb*'; ls /etc/systemd/system | grep hbnb")).out,
    ).toBe("");
  });

  test("Nginx answers with its default page from outside; the app's routes are gone", async () => {
    const page = await server.http("/");
    expect(page.status).toBe(200);
    expect(page.body).toContain("<title>Welcome to nginx!</title>");
    expect((await server.http("/api/v1/status")).status).toBe(404);
  });

  test("SSH still takes the key, on a new connection", async () => {
    expect(await server.sh("sudo -n true && echo in")).toEqual({ code: 0, out: "in" });
  });

  test("the database is intact, with the row written before the destroy", async () => {
    const check = await server.sh(
      `sudo python3 -c "import sqlite3; c = sqlite3.connect('file:/var/lib/hbnb/hbnb.db?mode=ro', uri=True); ` +
        `print(c.execute('PRAGMA integrity_check').fetchone()[0]); ` +
        `print(c.execute('SELECT name FROM states WHERE id = ?', ('${kept.id}',)).fetchone()[0])"`,
    );
    expect(check).toEqual({ code: 0, out: `ok\n${kept.name}` });
  });

  test("a second destroy finds nothing to undo", async () => {
    const again = await undo();
    for (const report of again) expect(report.output.trim().split("\n").pop()).toBe(`${report.step}: unchanged`);
    expect(await inventory()).toEqual(after);
  });

  test("a deploy afterwards runs every step again and serves the kept data", async () => {
    const reports = await server.deploy();
    expect(reports.filter((r) => r.ran).map((r) => r.step)).toEqual(server.plan.steps.map((s) => s.name));
    expect(await server.serving()).toBe(server.plan.release);
    const state = await server.http(`/api/v1/states/${kept.id}`);
    expect(state.status).toBe(200);
    expect(JSON.parse(state.body)).toMatchObject(kept);
    expect(Object.keys(await inventory())).toEqual(Object.keys(deployed));
  });
});

describe("pulumi destroy with destroyKeepsData: false", () => {
  let reports: StepReport[];
  beforeAll(async () => {
    server.configure({ destroyKeepsData: "false" });
    reports = await undo();
  });

  test("removes the data, the logs, the user and the group too", () => {
    const users = reports.find((r) => r.step === "undo-users")!.output;
    expect(users).toContain("undo-users: changed: removed /var/lib/hbnb (destroyKeepsData is false)");
    expect(users).toContain("undo-users: changed: removed /var/log/hbnb (destroyKeepsData is false)");
    expect(users).toContain("undo-users: changed: removed user hbnb");
  });

  test("leaves the server exactly as the distribution's packages left it", async () => {
    expect(compare(distribution, await inventory())).toEqual({ added: [], removed: [], changed: [] });
    expect(await accounts()).toEqual(distributionAccounts);
    expect(await services()).toEqual(distributionServices);
    expect((await server.http("/")).body).toContain("<title>Welcome to nginx!</title>");
    expect(await server.sh("sudo -n true && echo in")).toEqual({ code: 0, out: "in" });
  });
});

describe("pulumi destroy on a server its owner also uses", () => {
  let reports: Record<string, string>;
  beforeAll(async () => {
    server.configure({});
    await server.deploy();
    // The owner's own changes after the deploy: a firewall rule, a login setting, a file.
    for (const command of [
      "sudo ufw allow 8080/tcp",
      "sudo sed -i 's/^PASS_MIN_DAYS .*/PASS_MIN_DAYS 7/' /etc/login.defs",
      "echo mine | sudo tee /etc/hbnb/owner-notes",
    ]) {
      expect((await server.sh(command)).code).toBe(0);
    }
    reports = Object.fromEntries((await undo()).map((r) => [r.step, r.output]));
  });

  test("ufw stays on with the owner's rule, and the stack's SSH rule so that nobody is locked out", async () => {
    expect(reports["undo-firewall"]).toContain(
      "undo-firewall: kept the ufw rule allow 22/tcp comment 'ssh': ufw has rules of its own and stays on; without it SSH could be locked out",
    );
    expect((await server.sh("sudo ufw status | head -n 1")).out).toBe("Status: active");
    expect((await server.sh("sudo ufw show added | tail -n +2")).out).toBe(
      "ufw allow 22/tcp comment 'ssh'\nufw allow 8080/tcp",
    );
    expect(await server.sh("sudo -n true && echo in")).toEqual({ code: 0, out: "in" });
    expect(await server.reachable(80)).toBe(false);
  });

  test("a key the owner changed since keeps the owner's value; the stack's others go back", async () => {
    expect(reports["undo-harden"]).toContain(
      "undo-harden: changed: put back the distribution's value(s) of 2 key(s) in /etc/login.defs",
    );
    expect((await server.sh("grep -E '^(PASS_MIN_DAYS|SHA_CRYPT)' /etc/login.defs")).out).toBe("PASS_MIN_DAYS 7");
  });

  test("a directory holding a file of the owner's stays, and is named", async () => {
    expect(reports["undo-users"]).toContain(
      "undo-users: kept /etc/hbnb: it holds files the stack did not put there (owner-notes )",
    );
    expect((await server.sh("sudo ls -A /etc/hbnb")).out).toBe("owner-notes");
  });
});

describe("settings that name the distribution's own account and directories", () => {
  // The last phase: the server's plan stays pointed at them.
  beforeAll(() => {
    server.configure({
      destroyKeepsData: "false",
      appUser: "www-data",
      dataDir: "/var/lib/misc",
      logDir: "/var/log/apt",
    });
  });

  test("destroyKeepsData false never removes what the distribution ships", async () => {
    const users = server.plan.steps.find((s) => s.name === "users")!.undo!;
    const before = await server.sh(
      "getent passwd www-data; getent group www-data; sudo ls -A /var/lib/misc /var/log/apt",
    );
    const { code, output } = await ssh(server.target, users.command);
    expect({ code, output }).toEqual({
      code: 0,
      output: [
        "undo-users: kept /var/lib/misc: a package of the distribution ships it; remove the app's files in it by hand",
        "undo-users: kept /var/log/apt: a package of the distribution ships it; remove the app's files in it by hand",
        "undo-users: kept user www-data: an account of the distribution",
        "undo-users: kept group www-data: a group of the distribution",
        "undo-users: unchanged",
        "",
      ].join("\n"),
    });
    expect(
      await server.sh("getent passwd www-data; getent group www-data; sudo ls -A /var/lib/misc /var/log/apt"),
    ).toEqual(before);
  });
});
