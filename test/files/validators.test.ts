import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Bundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan } from "../../core/plan";
import { parseSettings, RawConfig } from "../../core/settings";
import { CLASSIC_FILES } from "../unit/plan-fixture";

/**
 * Rendered configs and every shell script through the real validators: nginx -t,
 * systemd-analyze verify, shellcheck, Python's compiler.
 */
const root = path.join(__dirname, "..", "..");
const privateKey = fs.readFileSync(path.join(root, "test", "fixtures", "id_ed25519"), "utf8");
const bundle: Bundle = { release: "r-0123456789ab", archive: "/build/x.tar.gz", sha256: "a".repeat(64), files: [] };
const planOf = (raw: RawConfig = {}) =>
  buildPlan(
    parseSettings({ target: "existing", hosts: '["192.0.2.10"]', privateKey, ...raw }),
    { ...bundle, files: raw.layout === "classic" ? CLASSIC_FILES : [] },
    loadServerFiles(),
  );
const custom = JSON.stringify([
  { name: "web", app: "app:app", routes: [{ path: "/" }], environment: { GREETING: "it's \"quoted\"" } },
  { name: "admin", app: "admin.main:create_app", workers: 1, routes: [{ path: "/admin/", to: "/" }] },
]);

function run(program: string, args: string[], cwd = root, input?: string) {
  const result = spawnSync(program, args, { cwd, encoding: "utf8", input });
  if (result.error) throw result.error;
  return { code: result.status, out: `${result.stdout}${result.stderr}`, stderr: result.stderr };
}

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-files-"));

describe.each<[string, RawConfig]>([
  ["defaults", {}],
  ["a domain, 9 workers, other directories", { serverName: "example.com www.example.com", workers: "9", appUser: "web", appDir: "/opt/web", dataDir: "/opt/web-data", logDir: "/var/log/web" }],
  ["the classic layout, its URLs rewritten", { layout: "classic", rewriteClassicUrls: "true", appEnvironment: '{"HBNB_TYPE_STORAGE": "file"}' }],
  ["a custom layout and a domain", { layout: "custom", services: custom, serverName: "example.com" }],
  // HTTPS: nginx -t before the certificate (the live directory empty) and after it.
  ["HTTPS for two names", { domain: '["example.com","www.example.com"]', acmeEmail: "admin@example.com" }],
  [
    "a custom layout with HTTPS and a server name",
    { layout: "custom", services: custom, serverName: "example.com", domain: "example.com", acmeEmail: "admin@example.com" },
  ],
  // The unit then wants mariadb.service and keeps the sandbox without IP.
  ["MariaDB on the server", { database: "mariadb" }],
  ["a classic app on MariaDB", { layout: "classic", appEnvironment: '{"HBNB_TYPE_STORAGE": "db"}' }],
  // Nginx then takes the client's address from X-Forwarded-For (realip); the app's URL is RDS's.
  [
    "three AWS servers behind the load balancer, on RDS",
    {
      target: "aws",
      hosts: "[]",
      adminCidrs: '["203.0.113.7/32"]',
      publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIValidatorsKey admin@example",
      instanceCount: "3",
      database: "rds",
    },
  ],
  // The catch-all of other names then lets AWS's health check (Host: the instance's address) through.
  [
    "AWS's load balancer and a server name, a custom layout",
    {
      target: "aws",
      hosts: "[]",
      adminCidrs: '["203.0.113.7/32"]',
      publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIValidatorsKey admin@example",
      instanceCount: "2",
      database: "rds",
      serverName: "example.com www.example.com",
      layout: "custom",
      services: custom,
    },
  ],
])("configs rendered with %s", (_, raw) => {
  const plan = planOf(raw);
  const ofKind = (kind: string) => plan.configFiles.filter((f) => f.kind === kind);

  test("the Nginx site passes nginx -t", () => {
    // A prefix of its own, as Debian's nginx.conf would include the site and its snippet.
    const dir = tmp();
    fs.mkdirSync(path.join(dir, "snippets"));
    fs.mkdirSync(path.join(dir, "logs"));
    const service = raw.appUser ?? "hbnb";
    fs.mkdirSync(path.join(dir, "conf.d"));
    // Every Nginx file of the plan where Debian's nginx.conf finds it, under the prefix: the
    // snippets, conf.d's http-level files (the answers' cache in the prefix too: nginx -t
    // creates its directory), and the site (its log files in the prefix: nginx -t opens them).
    for (const file of ofKind("nginx")) {
      const [, where, name] = /^\/etc\/nginx\/(snippets|conf\.d|sites-available)\/(.+)$/.exec(file.path)!;
      const text = file.text
        .replace(`/var/cache/nginx-${service}`, `${dir}/cache`)
        .replaceAll("/var/log/nginx/", `${dir}/logs/`);
      fs.writeFileSync(path.join(dir, where === "sites-available" ? "site.conf" : `${where}/${name}`), text);
    }
    fs.writeFileSync(
      path.join(dir, "nginx.conf"),
      [
        "pid nginx.pid;",
        "error_log stderr;",
        "events {}",
        "http {",
        "  include /etc/nginx/mime.types;",
        // As Debian 13's nginx.conf has it (Ubuntu 24.04's still comments it out): the stack's
        // files must not set it again at this level, which nginx -t refuses as a duplicate.
        "  server_tokens off;",
        "  access_log off;",
        `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;`,
        `  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
        "  include conf.d/*.conf;",
        "  include site.conf;",
        "}",
      ].join("\n"),
    );
    const nginxT = () => run("nginx", ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-t"]);
    const result = nginxT();
    expect(result.out).toContain("test is successful");
    expect(result.code).toBe(0);
    if (raw.domain) {
      // HTTPS live, as the certificate step makes it: the listeners (Nginx 1.22's syntax, as
      // the step writes it for Nginx before 1.25.1), the TLS settings, OCSP stapling; a
      // self-signed certificate made here in certbot's place.
      const tls = plan.configFiles.find((f) => f.name === "tls")!;
      const cert = path.join(dir, "cert");
      fs.mkdirSync(cert);
      const openssl = run("openssl", [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"],
        ...["-subj", "/CN=example.com", "-keyout", `${cert}/privkey.pem`, "-out", `${cert}/fullchain.pem`],
      ]);
      expect(openssl.code).toBe(0);
      fs.copyFileSync(`${cert}/fullchain.pem`, `${cert}/chain.pem`);
      const live = path.join(dir, "live");
      fs.mkdirSync(live);
      fs.writeFileSync(path.join(live, "listen.conf"), "listen 443 ssl http2;\nlisten [::]:443 ssl http2;\n");
      fs.writeFileSync(path.join(live, "tls.conf"), tls.text.replaceAll(`/etc/letsencrypt/live/${service}/`, `${cert}/`));
      fs.writeFileSync(
        path.join(live, "stapling.conf"),
        `ssl_stapling on;\nssl_stapling_verify on;\nssl_trusted_certificate ${cert}/chain.pem;\n`,
      );
      const guards = path.join(dir, "snippets", `${service}-guards.conf`);
      const text = fs.readFileSync(guards, "utf8");
      expect(text).toContain(`include /etc/nginx/${service}-https/*.conf;`);
      fs.writeFileSync(guards, text.replace(`/etc/nginx/${service}-https/`, `${live}/`));
      const secure = nginxT();
      expect(secure.out).toContain("test is successful");
      expect(secure.code).toBe(0);
    }
    fs.rmSync(dir, { recursive: true });
  });

  test("the operator's commands pass shellcheck", () => {
    const commands = planOf(raw).configFiles.filter((f) => f.path.startsWith("/usr/local/sbin/"));
    expect(commands.map((f) => f.path.split("/").pop())).toEqual(
      ["rollback", "reload"].map((c) => `${raw.appUser ?? "hbnb"}-${c}`),
    );
    for (const command of commands) {
      const result = run("shellcheck", ["-"], root, command.text);
      expect([command.path, result.out]).toEqual([command.path, ""]);
    }
  });

  test("each service and its socket pass systemd-analyze verify with no warning", () => {
    // Side by side, as on the server: verify loads the units of the files' directory too.
    const dir = tmp();
    const units = [...ofKind("unit"), ...ofKind("socket")].map((file) => {
      const unit = path.join(dir, path.basename(file.path));
      fs.writeFileSync(unit, file.text);
      return unit;
    });
    expect(units).toHaveLength(2 * plan.layout.services.length);
    const result = run("systemd-analyze", ["verify", ...units]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    fs.rmSync(dir, { recursive: true });
  });

  test("the Gunicorn settings are valid Python that Gunicorn accepts", () => {
    // Gunicorn checks that chdir exists: give the settings a release directory of their own.
    const dir = tmp();
    fs.mkdirSync(path.join(dir, "app"));
    fs.mkdirSync(path.join(dir, "logs"));
    fs.symlinkSync(path.join(root, "files", "app"), path.join(dir, "app", "current"));
    const conf = path.join(dir, "gunicorn.conf.py");
    const configs = planOf({ ...raw, appDir: `${dir}/app`, logDir: `${dir}/logs` }).configFiles;
    const files = configs.filter((f) => f.kind === "gunicorn");
    expect(files).toHaveLength(plan.layout.services.length);
    for (const [i, file] of files.entries()) {
      fs.writeFileSync(conf, file.text);
      const compiled = run("/usr/bin/python3", ["-m", "py_compile", conf]);
      expect(compiled.out).toBe("");
      expect(compiled.code).toBe(0);
      // The app and the environment, as Python reads the settings.
      const read = run(
        "/usr/bin/python3",
        ["-c", "import json, sys; s = {}; exec(open(sys.argv[1]).read(), s); print(json.dumps([s['wsgi_app'], s.get('raw_env', [])]))", conf],
        dir,
      );
      const service = plan.layout.services[i];
      const routes = service.routes.length ? [`HBNB_STACK_ROUTES=${JSON.stringify(service.routes)}`] : [];
      const environment = Object.entries(service.environment).map(([name, value]) => `${name}=${value}`);
      expect(JSON.parse(read.out)).toEqual([service.wsgiApp, [...routes, ...environment]]);
      // The bundled app loads the way the master does (a user's app is not in this repository).
      if (plan.layout.layout === "bundled") {
        const checked = run("/usr/bin/gunicorn", ["--check-config", "--config", conf], dir);
        expect(checked.out).toBe("");
        expect(checked.code).toBe(0);
      }
    }
    fs.rmSync(dir, { recursive: true });
  });
});

describe("shell scripts", () => {
  const scripts = [
    ...fs.readdirSync(path.join(root, "files", "scripts")).map((f) => `files/scripts/${f}`),
    ...fs.readdirSync(path.join(root, "local")).filter((f) => f.endsWith(".sh")).map((f) => `local/${f}`),
    ...fs.readdirSync(path.join(root, "test")).filter((f) => f.endsWith(".sh")).map((f) => `test/${f}`),
    ...fs.readdirSync(path.join(root, ".github", "scripts")).map((f) => `.github/scripts/${f}`),
    ...fs.readdirSync(path.join(root, "test", "fixtures", "ci")).map((f) => `test/fixtures/ci/${f}`),
    ".ci/run",
  ].filter((f) => fs.existsSync(path.join(root, f)));

  test("there are scripts to check", () => {
    expect(scripts).toEqual(expect.arrayContaining(["files/scripts/lib.sh", "files/scripts/switch.sh", "local/host.sh"]));
  });

  test.each(scripts)("%s passes shellcheck and starts as the project's scripts do", (script) => {
    const text = fs.readFileSync(path.join(root, script), "utf8");
    expect(text.startsWith("#!/usr/bin/env bash\n")).toBe(true);
    // Libraries (sourced, not run) inherit the options of the script that sources them.
    if (!/^# Sourced by|^# Helpers shared/m.test(text)) expect(text).toMatch(/^set -euo pipefail$/m);
    const result = run("shellcheck", ["-x", script]);
    expect(result.out).toBe("");
    expect(result.code).toBe(0);
  });
});
