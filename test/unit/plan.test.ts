import * as fs from "fs";
import * as path from "path";
import { Bundle } from "../../components/bundle";
import { loadServerFiles } from "../../components/files";
import { buildPlan, Plan } from "../../components/plan";
import { parseSettings, RawConfig } from "../../components/settings";

const privateKey = fs.readFileSync(path.join(__dirname, "..", "fixtures", "id_ed25519"), "utf8");
const files = loadServerFiles();
const bundle: Bundle = { release: "r-0123456789ab", archive: "/build/r-0123456789ab.tar.gz", sha256: "a".repeat(64) };
const base: RawConfig = { target: "existing", hosts: '["192.0.2.10"]', privateKey };

const planOf = (raw: RawConfig = {}, b: Bundle = bundle): Plan =>
  buildPlan(parseSettings({ ...base, ...raw }), b, files);
const byName = (plan: Plan) => Object.fromEntries(plan.steps.map((s) => [s.name, s]));

/** The steps whose triggers differ between two plans: what a preview would show re-running. */
function rerun(a: Plan, b: Plan): string[] {
  const before = byName(a);
  return b.steps
    .filter((s) => JSON.stringify(s.triggers) !== JSON.stringify(before[s.name].triggers))
    .map((s) => s.name);
}

describe("the plan", () => {
  const plan = planOf();

  test("has the steps in order", () => {
    expect(plan.steps.map((s) => s.name)).toEqual([
      "wait",
      "packages",
      "users",
      "release",
      "configs",
      "database",
      "switch",
      "firewall",
      "prune",
    ]);
  });

  test("runs every step as root from stdin, with its values, lib.sh and its script, stdin closed", () => {
    for (const s of plan.steps) {
      expect(s.command).toBe("sudo -n bash -s");
      expect(s.stdin.startsWith(`{\nexport HBNB_STEP='${s.name}'\n`)).toBe(true);
      expect(s.stdin).toContain(files.scripts.lib);
      expect(s.stdin).toContain(files.scripts[s.name]);
      expect(s.stdin.endsWith("\n} </dev/null\n")).toBe(true);
    }
  });

  test("gives each step exactly its own values", () => {
    const steps = byName(plan);
    expect(steps.packages.stdin).toContain(
      "export HBNB_PACKAGES='nginx gunicorn python3-flask python3-flask-cors python3-sqlalchemy curl ufw'",
    );
    expect(steps.users.triggers).toEqual([
      expect.stringMatching(/^script=[0-9a-f]{12}$/),
      "HBNB_APP_USER=hbnb",
      "HBNB_WEB_USER=www-data",
      "HBNB_APP_DIR=/srv/hbnb",
      "HBNB_DATA_DIR=/var/lib/hbnb",
      "HBNB_LOG_DIR=/var/log/hbnb",
      "HBNB_CONFIG_DIR=/etc/hbnb",
    ]);
    expect(steps.release.upload).toEqual({
      source: "/build/r-0123456789ab.tar.gz",
      destination: "/tmp/hbnb-stack-r-0123456789ab.tar.gz",
      sha256: "a".repeat(64),
    });
    expect(steps.release.stdin).toContain(`export HBNB_ARCHIVE_SHA256='${"a".repeat(64)}'`);
    expect(steps.switch.triggers).toContain("HBNB_RELEASE=r-0123456789ab");
    expect(steps.switch.triggers).toContain("HBNB_SOCKET=/run/hbnb/gunicorn.sock");
    expect(steps.firewall.triggers).toEqual([expect.stringMatching(/^script=/), "HBNB_SSH_PORT=22"]);
  });

  test("passes every rendered config with its kind, path, owner and mode, and keys off them by hash", () => {
    const configs = byName(plan).configs;
    const b64 = (name: string) => Buffer.from(plan.configs[name]).toString("base64");
    const lines = [
      `unit|/etc/systemd/system/hbnb.service|root:root|0644|${b64("unit")}`,
      `env|/etc/hbnb/hbnb.env|root:hbnb|0640|${b64("env")}`,
      `gunicorn|/etc/hbnb/gunicorn.conf.py|root:hbnb|0640|${b64("gunicorn")}`,
      `nginx|/etc/nginx/sites-available/hbnb|root:root|0644|${b64("site")}`,
      `nginx|/etc/nginx/snippets/hbnb-proxy.conf|root:root|0644|${b64("proxy")}`,
    ];
    expect(configs.stdin).toContain(`export HBNB_CONFIG_FILES='${lines.join("\n")}'`);
    expect(configs.triggers).toContainEqual(expect.stringMatching(/^HBNB_CONFIG_FILES=sha256:[0-9a-f]{12}$/));
  });

  test("quotes values for the shell", () => {
    const p = planOf({ databaseUrl: "mysql://u:it's@db/hbnb" });
    expect(p.configs.env).toContain("HBNB_DATABASE_URL=mysql://u:it's@db/hbnb");
    expect(byName(p).packages.stdin).toContain("python3-mysqldb");
  });

  test("is the same for the same inputs", () => {
    expect(planOf()).toEqual(plan);
  });
});

describe("a change re-runs exactly the steps that use it", () => {
  const plan = planOf();
  test.each<[string, RawConfig, Bundle, string[]]>([
    ["nothing", {}, bundle, []],
    [
      "a new release of the app",
      {},
      { ...bundle, release: "r-ba9876543210", sha256: "b".repeat(64) },
      ["release", "database", "switch", "prune"],
    ],
    ["the number of workers", { workers: "5" }, bundle, ["configs", "switch"]],
    ["the server name", { serverName: "example.com" }, bundle, ["configs"]],
    ["the SSH port", { sshPort: "2222" }, bundle, ["firewall"]],
    ["releases kept", { keepReleases: "3" }, bundle, ["prune"]],
    ["the database", { databaseUrl: "mysql://u:p@db/hbnb" }, bundle, ["packages", "configs", "database", "switch"]],
    ["the app user", { appUser: "web" }, bundle, ["users", "release", "configs", "database", "switch"]],
  ])("%s", (_, raw, b, steps) => {
    expect(rerun(plan, planOf(raw, b))).toEqual(steps);
  });
});

describe("rendered configs", () => {
  const { configs } = planOf({ workers: "4", serverName: "example.com" });

  test("the unit runs Gunicorn as the app user, reloads with HUP, restarts on failure", () => {
    expect(configs.unit).toMatch(/^User=hbnb$/m);
    expect(configs.unit).toMatch(/^Group=hbnb$/m);
    expect(configs.unit).toMatch(
      /^ExecStart=\/usr\/bin\/gunicorn --config \/etc\/hbnb\/gunicorn.conf.py hbnb.wsgi:app$/m,
    );
    expect(configs.unit).toMatch(/^ExecReload=\/bin\/kill -s HUP \$MAINPID$/m);
    expect(configs.unit).toMatch(/^Restart=on-failure$/m);
    expect(configs.unit).toMatch(/^WantedBy=multi-user.target$/m);
    expect(configs.unit).toMatch(/^EnvironmentFile=\/etc\/hbnb\/hbnb.env$/m);
  });

  test("Gunicorn: the socket, umask 007, the workers, the log files, no preload", () => {
    expect(configs.gunicorn).toMatch(/^bind = "unix:\/run\/hbnb\/gunicorn.sock"$/m);
    expect(configs.gunicorn).toMatch(/^umask = 0o007$/m);
    expect(configs.gunicorn).toMatch(/^workers = 4$/m);
    expect(configs.gunicorn).toMatch(/^accesslog = "\/var\/log\/hbnb\/access.log"$/m);
    expect(configs.gunicorn).toMatch(/^errorlog = "\/var\/log\/hbnb\/error.log"$/m);
    expect(configs.gunicorn).toMatch(/^preload_app = False$/m);
    expect(configs.gunicorn).toMatch(/^chdir = os.path.realpath\("\/srv\/hbnb\/current"\)$/m);
  });

  test("Nginx: port 80, the server name, static files from the release, the app on the socket", () => {
    expect(configs.site).toMatch(/^\s+listen 80 default_server;$/m);
    expect(configs.site).toMatch(/^\s+server_name example.com;$/m);
    expect(configs.site).toMatch(/^\s+server unix:\/run\/hbnb\/gunicorn.sock fail_timeout=0;$/m);
    expect(configs.site).toMatch(/^\s+alias \/srv\/hbnb\/current\/hbnb\/static\/;$/m);
    expect(configs.proxy).toMatch(/^proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;$/m);
    expect(configs.proxy).toMatch(/^proxy_pass http:\/\/hbnb_app;$/m);
  });

  test("SQLite in the data directory unless a database URL is set", () => {
    expect(configs.env).toMatch(/^HBNB_DATABASE_URL=sqlite:\/\/\/\/var\/lib\/hbnb\/hbnb.db$/m);
  });

  test("every directive line of every config carries a comment above it or is part of a commented block", () => {
    for (const text of [configs.unit, configs.gunicorn, configs.site]) {
      const comments = text.split("\n").filter((line) => line.trim().startsWith("#")).length;
      const directives = text.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#")).length;
      expect(comments).toBeGreaterThanOrEqual(directives / 2);
    }
  });
});
