import { Bundle } from "../../core/bundle";
import { buildPlan, carriesSecrets, hostFactToken, Plan } from "../../core/plan";
import { parseSettings, RawConfig } from "../../core/settings";
import { base, bundle, files, planOf } from "./plan-fixture";

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
      "secrets",
      "database",
      "switch",
      "harden",
      "firewall",
      "prune",
    ]);
  });

  test("on hosts with a data volume of their own (a local server's data disk): the volume step after wait, its device the host's fact", () => {
    const withVolume = buildPlan(parseSettings(base), bundle, files, { dataVolume: true });
    expect(withVolume.steps.map((s) => s.name).slice(0, 3)).toEqual(["wait", "volume", "packages"]);
    const volume = byName(withVolume).volume;
    expect(volume.facts).toEqual(["dataDevice"]);
    expect(volume.stdin).toContain(hostFactToken("dataDevice"));
    expect(volume.stdin).toContain(files.scripts.volume);
    // Every other step is the one of the same stack without it.
    expect(withVolume.steps.filter((s) => s.name !== "volume")).toEqual(plan.steps);
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
      "export HBNB_PACKAGES='nginx gunicorn python3-flask python3-flask-cors python3-sqlalchemy curl ufw fail2ban python3-systemd nftables unattended-upgrades logrotate libpam-tmpdir debsums chkrootkit libpam-pwquality apt-listchanges'",
    );
    expect(steps.users.triggers).toEqual([
      expect.stringMatching(/^script=[0-9a-f]{12}$/),
      "HBNB_APP_USER=hbnb",
      "HBNB_APP_DIR=/srv/hbnb",
      "HBNB_DATA_DIR=/var/lib/hbnb",
      "HBNB_LOG_DIR=/var/log/hbnb",
      "HBNB_CONFIG_DIR=/etc/hbnb",
      "HBNB_STATIC_DIRS=hbnb/static",
    ]);
    expect(steps.release.upload).toEqual({
      source: "/build/r-0123456789ab.tar.gz",
      destination: "/tmp/hbnb-stack-r-0123456789ab.tar.gz",
      sha256: "a".repeat(64),
    });
    expect(steps.release.stdin).toContain(`export HBNB_ARCHIVE_SHA256='${"a".repeat(64)}'`);
    expect(steps.switch.triggers).toContain("HBNB_RELEASE=r-0123456789ab");
    expect(steps.switch.triggers).toContain("HBNB_UNITS=hbnb|/run/hbnb/gunicorn.sock|3|/etc/hbnb/gunicorn.conf.py");
    expect(steps.firewall.triggers).toEqual([expect.stringMatching(/^script=/), "HBNB_SSH_PORT=22"]);
  });

  test("passes every rendered config with its kind, path, owner and mode, and keys off them by hash", () => {
    const configFiles = plan.configFiles.filter((f) => f.step === "configs");
    expect(configFiles.map((f) => `${f.kind}|${f.path}|${f.owner}|${f.mode}`)).toEqual([
      "unit|/etc/systemd/system/hbnb.service|root:root|0644",
      "socket|/etc/systemd/system/hbnb.socket|root:root|0644",
      "gunicorn|/etc/hbnb/gunicorn.conf.py|root:hbnb|0640",
      "nginx|/etc/nginx/sites-available/hbnb|root:root|0644",
      "nginx|/etc/nginx/snippets/hbnb-proxy.conf|root:root|0644",
      "nginx|/etc/nginx/snippets/hbnb-guards.conf|root:root|0644",
      "nginx|/etc/nginx/snippets/hbnb-headers.conf|root:root|0644",
      "nginx|/etc/nginx/snippets/hbnb-code-cache.conf|root:root|0644",
      "nginx|/etc/nginx/snippets/hbnb-data-cache.conf|root:root|0644",
      "nginx|/etc/nginx/conf.d/hbnb-limits.conf|root:root|0644",
      "nginx|/etc/nginx/conf.d/hbnb-tuning.conf|root:root|0644",
      "tool|/usr/local/lib/hbnb-stack/lib.sh|root:root|0755",
      "tool|/usr/local/lib/hbnb-stack/switch.sh|root:root|0755",
      "tool|/usr/local/lib/hbnb-stack/rollback.sh|root:root|0755",
      "tool|/usr/local/lib/hbnb-stack/reload.sh|root:root|0755",
      "tool|/usr/local/sbin/hbnb-rollback|root:root|0755",
      "tool|/usr/local/sbin/hbnb-reload|root:root|0755",
    ]);
    const configs = byName(plan).configs;
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    const value = configFiles.map((f) => `${f.kind}|${f.path}|${f.owner}|${f.mode}|${b64(f.text)}`).join("\n");
    expect(configs.stdin).toContain(`export HBNB_CONFIG_FILES='${value}'`);
    expect(configs.triggers).toContainEqual(expect.stringMatching(/^HBNB_CONFIG_FILES=sha256:[0-9a-f]{12}$/));
  });

  test("installs the switch step's scripts unchanged as the operator's tools", () => {
    const tool = (path: string) => plan.configFiles.find((f) => f.path === path)?.text;
    expect(tool("/usr/local/lib/hbnb-stack/switch.sh")).toBe(files.scripts.switch);
    expect(tool("/usr/local/lib/hbnb-stack/lib.sh")).toBe(files.scripts.lib);
    expect(tool("/usr/local/sbin/hbnb-rollback")).toMatch(/^exec \/usr\/local\/lib\/hbnb-stack\/rollback.sh "\$@"$/m);
    expect(tool("/usr/local/sbin/hbnb-reload")).toMatch(/^exec \/usr\/local\/lib\/hbnb-stack\/reload.sh hbnb$/m);
  });

  test("a pinned release uploads nothing and serves that release", () => {
    const pinned = planOf({ release: "r-ba9876543210" });
    expect(pinned.release).toBe("r-ba9876543210");
    const steps = byName(pinned);
    expect(steps.release.upload).toBeUndefined();
    expect(steps.release.stdin).toContain("export HBNB_ARCHIVE=''");
    expect(steps.switch.triggers).toContain("HBNB_RELEASE=r-ba9876543210");
  });

  test("quotes values for the shell", () => {
    const p = planOf({ databaseUrl: "mysql://u:it's@db/hbnb" });
    expect(byName(p).secrets.stdin).toContain("HBNB_DATABASE_URL=mysql://u:it'\\''s@db/hbnb");
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
    [
      "pinning a release already on the servers",
      { release: "r-ba9876543210" },
      bundle,
      ["release", "database", "switch", "prune"],
    ],
    ["the number of workers", { workers: "5" }, bundle, ["configs", "switch"]],
    ["the server name", { serverName: "example.com" }, bundle, ["configs"]],
    ["the SSH port (fail2ban watches it)", { sshPort: "2222" }, bundle, ["harden", "firewall"]],
    ["the SSH user (it must keep its key login)", { sshUser: "deploy" }, bundle, ["harden"]],
    ["releases kept", { keepReleases: "3" }, bundle, ["prune"]],
    // The unit changes too: a remote database needs the network that SQLite's sandbox takes away.
    [
      "the database",
      { databaseUrl: "mysql://u:p@db/hbnb" },
      bundle,
      ["packages", "configs", "secrets", "database", "switch"],
    ],
    [
      "the app user",
      { appUser: "web" },
      bundle,
      ["users", "release", "configs", "secrets", "database", "switch", "harden", "prune"],
    ],
  ])("%s", (_, raw, b, steps) => {
    expect(rerun(plan, planOf(raw, b))).toEqual(steps);
  });
});

describe("rendered configs", () => {
  const { configs } = planOf({ workers: "4", serverName: "example.com" });

  test("the unit runs Gunicorn as the app user, reloads with HUP, restarts on failure", () => {
    expect(configs.unit).toMatch(/^User=hbnb$/m);
    expect(configs.unit).toMatch(/^Group=hbnb$/m);
    expect(configs.unit).toMatch(/^ExecStart=\/usr\/bin\/gunicorn --config \/etc\/hbnb\/gunicorn.conf.py$/m);
    expect(configs.gunicorn).toMatch(/^wsgi_app = "hbnb.wsgi:app"$/m);
    expect(configs.gunicorn).not.toMatch(/raw_env/);
    expect(configs.unit).toMatch(/^ExecReload=\/bin\/kill -s HUP \$MAINPID$/m);
    expect(configs.unit).toMatch(/^Restart=on-failure$/m);
    expect(configs.unit).toMatch(/^WantedBy=multi-user.target$/m);
    expect(configs.unit).toMatch(/^EnvironmentFile=\/etc\/hbnb\/hbnb.env$/m);
    expect(configs.unit).toMatch(/^Requires=hbnb.socket$/m);
    expect(configs.unit).toMatch(/^Also=hbnb.socket$/m);
    // The socket's directory is the socket unit's (a RuntimeDirectory of the service there would
    // go at each stop, the socket with it); the service's own is where it publishes its data's
    // generation, which Nginx's user (not in the app's group) may only pass through.
    expect(configs.unit.match(/^RuntimeDirectory.*$/gm)).toEqual([
      "RuntimeDirectory=hbnb-generation",
      "RuntimeDirectoryMode=0711",
    ]);
    expect(configs.unit).toMatch(/^Environment=HBNB_GENERATION_DIR=\/run\/hbnb-generation$/m);
  });

  test("the unit starts only once the data directory's disk is mounted (fstab's nofail orders nothing)", () => {
    // A data volume's fstab line has nofail: its mount is not ordered before local-fs.target,
    // so without this the app could start first and write a new, empty database on the root.
    expect(configs.unit).toMatch(/^RequiresMountsFor=\/var\/lib\/hbnb$/m);
  });

  test("the socket: systemd's, at the path Nginx connects to, for Nginx's user alone", () => {
    expect(configs.socket).toMatch(/^ListenStream=\/run\/hbnb\/gunicorn.sock$/m);
    expect(configs.socket).toMatch(/^SocketUser=www-data$/m);
    expect(configs.socket).toMatch(/^SocketGroup=www-data$/m);
    expect(configs.socket).toMatch(/^SocketMode=0600$/m);
    expect(configs.socket).toMatch(/^WantedBy=sockets.target$/m);
  });

  test("Gunicorn: the socket from systemd, umask 007, the workers, the log files, no preload", () => {
    expect(configs.gunicorn).not.toMatch(/^bind/m);
    expect(configs.gunicorn).toMatch(/^umask = 0o007$/m);
    expect(configs.gunicorn).toMatch(/^workers = 4$/m);
    expect(configs.gunicorn).toMatch(/^accesslog = "\/var\/log\/hbnb\/access.log"$/m);
    expect(configs.gunicorn).toMatch(/^errorlog = "\/var\/log\/hbnb\/error.log"$/m);
    expect(configs.gunicorn).toMatch(/^preload_app = False$/m);
    expect(configs.gunicorn).toMatch(/^release_dir = os.path.realpath\("\/srv\/hbnb\/current"\)$/m);
    expect(configs.gunicorn).toMatch(/^ {4}chdir = release_dir$/m);
  });

  test("Nginx: port 80, the server name, static files from the release, the app on the socket", () => {
    expect(configs.site).toMatch(/^\s+listen 80 default_server;$/m);
    expect(configs.site).toMatch(/^\s+server_name example.com;$/m);
    expect(configs.site).toMatch(/^\s+server unix:\/run\/hbnb\/gunicorn.sock fail_timeout=0;$/m);
    // One address's searches in progress: one fewer than the 4 workers; the server's limit again.
    expect(configs.site).toMatch(/^\s+limit_conn hbnb_search 3;\n\s+limit_conn hbnb_addr 100;$/m);
    // From the release a versioned URL names, else from `current` (the map in conf.d).
    expect(configs.site).toMatch(/^\s+alias \/srv\/hbnb\/\$hbnb_static_dir\/hbnb\/static\/;$/m);
    expect(configs.tuning).toMatch(/^ +default +"current";$/m);
    expect(configs.tuning).toMatch(/^ +"~\^\(\?<hbnb_release>r-\[0-9a-f\]\{12\}\)\$" +"releases\/\$hbnb_release";$/m);
    expect(configs.proxy).toMatch(/^proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;$/m);
    expect(configs.proxy).toMatch(/^proxy_pass http:\/\/hbnb_app;$/m);
  });

  test("SQLite in the data directory unless a database URL is set", () => {
    expect(byName(planOf()).secrets.stdin).toMatch(/^HBNB_DATABASE_URL=sqlite:\/\/\/\/var\/lib\/hbnb\/hbnb.db$/m);
  });

  test("the environment and its secrets go to the secrets step only, as tokens the drivers fill in", () => {
    const plan = planOf();
    const steps = byName(plan);
    expect(steps.secrets.secrets).toEqual(["flaskSecretKey", "apiToken"]);
    expect(steps.secrets.stdin).toMatch(/^HBNB_SECRET_KEY=@@hbnb-secret:flaskSecretKey@@$/m);
    expect(steps.secrets.stdin).toMatch(/^HBNB_API_TOKEN=@@hbnb-secret:apiToken@@$/m);
    expect(steps.secrets.stdin).toMatch(/^HBNB_API_WRITE_ACCESS=token$/m);
    expect(byName(planOf({ apiWriteAccess: "open" })).secrets.stdin).toMatch(/^HBNB_API_WRITE_ACCESS=open$/m);
    // The switch re-runs (and restarts Gunicorn) when a secret changes; no other step sees them.
    expect(steps.switch.secrets).toEqual(["flaskSecretKey", "apiToken"]);
    expect([carriesSecrets(steps.secrets), carriesSecrets(steps.switch)]).toEqual([true, false]);
    for (const step of plan.steps.filter((s) => !["secrets", "switch"].includes(s.name))) {
      expect([step.name, step.secrets]).toEqual([step.name, []]);
      expect(step.stdin).not.toContain("HBNB_SECRET_KEY");
    }
    expect(plan.configFiles.map((f) => f.path)).not.toContain("/etc/hbnb/hbnb.env");
  });

  test("every directive line of every config carries a comment above it or is part of a commented block", () => {
    for (const text of [configs.unit, configs.gunicorn, configs.site]) {
      const comments = text.split("\n").filter((line) => line.trim().startsWith("#")).length;
      const directives = text.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#")).length;
      expect(comments).toBeGreaterThanOrEqual(directives / 2);
    }
  });
});

describe("the demo data", () => {
  test("goes into a new database by default; demoData false tells the database step none", () => {
    const database = (raw = {}) => byName(planOf(raw)).database;
    expect(database().triggers).toContain("HBNB_DEMO_DATA=true");
    expect(database().summary).toBe("create the schema; the demo data into a new database");
    expect(database({ demoData: "false" }).triggers).toContain("HBNB_DEMO_DATA=false");
    expect(database({ demoData: "false" }).summary).toBe("create the schema");
  });
});
