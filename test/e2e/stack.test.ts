import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APP_DIR, buildBundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan } from "../../core/plan";
import { reboot } from "../../local/hosts";
import { StepReport } from "../../local/runner";
import { busy } from "./alone";
import { TestServer } from "./server";

/**
 * The stack end to end: a fresh, systemd-booted local server, the plan over real SSH, and
 * everything checked from outside the server as its users and graders check it.
 */
jest.setTimeout(10 * 60_000);
const server = new TestServer("hbnb-e2e");
let first: StepReport[];

beforeAll(async () => {
  await server.create();
  first = await server.deploy();
});
afterAll(() => server.destroy());

const ran = (reports: StepReport[]) => reports.filter((r) => r.ran).map((r) => r.step);

test("a fresh server runs every step of the plan", () => {
  expect(ran(first)).toEqual(server.plan.steps.map((s) => s.name));
});

describe("routes, through Nginx on port 80, from outside", () => {
  test.each([
    ["/airbnb-onepage/", "Hello HBNB!"],
    ["/airbnb-onepage", "Hello HBNB!"],
  ])("%s answers exactly %j", async (route, body) => {
    const response = await server.http(route);
    expect(response.status).toBe(200);
    expect(response.body).toBe(body);
  });

  test.each([
    ["/airbnb-dynamic/number_odd_or_even/6", "Number: 6 is even"],
    ["/airbnb-dynamic/number_odd_or_even/7", "Number: 7 is odd"],
    ["/airbnb-dynamic/number_odd_or_even/0", "Number: 0 is even"],
  ])("%s is the HTML page %j", async (route, text) => {
    const response = await server.http(route);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.body).toContain(`<h1>${text}</h1>`);
  });

  test.each(["/api/v1/status", "/api/v1/status/"])("%s is exactly {status: OK}", async (route) => {
    const response = await server.http(route);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(response.body)).toEqual({ status: "OK" });
  });

  test("/ is the HBnB page", async () => {
    const response = await server.http("/");
    expect(response.status).toBe(200);
    expect(response.body).toContain("Holberton School");
    expect(response.body).toMatch(/href="\/static\/styles\/[^"?]+\.css(\?[^"]*)?"/);
  });

  test("the deployer's health check is not public", async () => {
    expect((await server.http("/-/health")).status).toBe(404);
  });

  test("no answer redirects to 127.0.0.1, a port or a socket", async () => {
    for (const route of ["/", "/airbnb-onepage", "/airbnb-onepage/", "/api/v1/status", "/api/v1/states", "/static"]) {
      const location = (await server.http(route)).headers.get("location");
      if (location !== null) expect(location).not.toMatch(/127\.0\.0\.1|localhost|:\d+|unix|sock/);
    }
  });
});

describe("static files", () => {
  let assets: string[];
  beforeAll(async () => {
    const page = (await server.http("/")).body;
    assets = [...page.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
  });

  test("every asset of the page loads, served by Nginx", async () => {
    expect(assets.length).toBeGreaterThanOrEqual(3);
    expect(assets).toContain("/static/scripts/jquery.min.js");
    for (const asset of assets) {
      const response = await server.http(asset);
      expect([asset, response.status]).toEqual([asset, 200]);
      expect(response.headers.get("x-served-by")).toBe("nginx");
    }
  });

  test("Gunicorn never saw a request for them, while it logs the app's", async () => {
    await server.http("/api/v1/status");
    const log = (await server.sh(`sudo cat ${server.settings.app.logDir}/access.log`)).out;
    expect(log).toContain("GET /api/v1/status");
    expect(log).not.toContain("/static/");
  });

  test("a missing asset is a 404 from Nginx", async () => {
    const response = await server.http("/static/styles/missing.css");
    expect(response.status).toBe(404);
    expect(response.headers.get("server")).toMatch(/^nginx/);
  });
});

describe("on the server", () => {
  test("the app's unit and Nginx are enabled at boot and active", async () => {
    const { service } = server.plan.layout;
    expect((await server.sh(`systemctl is-enabled ${service} nginx`)).out).toBe("enabled\nenabled");
    expect((await server.sh(`systemctl is-active ${service} nginx`)).out).toBe("active\nactive");
  });

  test("Gunicorn runs 3 workers as the app user, on systemd's socket that only Nginx's user can reach", async () => {
    const { master, workers } = await server.gunicorn();
    expect(workers).toHaveLength(3);
    expect((await server.sh(`ps -o user= -p ${[master, ...workers].join(",")} | sort -u`)).out).toBe("hbnb");
    const [{ socket }] = server.plan.layout.services;
    expect((await server.sh(`sudo stat -c '%A %U:%G' ${socket}`)).out).toBe("srw------- www-data:www-data");
    expect((await server.sh("systemctl is-enabled hbnb.socket; systemctl is-active hbnb.socket")).out).toBe(
      "enabled\nactive",
    );
    // One listening socket at that path, systemd's, which the master holds too: handed to it,
    // not made by it.
    const listening = (await server.sh(`sudo ss -xlpn | grep -F ' ${socket} '`)).out.split("\n");
    expect(listening).toHaveLength(1);
    expect(listening[0]).toMatch(/\("systemd",pid=1,fd=\d+\)/);
    expect(listening[0]).toContain(`("gunicorn",pid=${master},`);
  });

  test("Nginx's user reads neither the app's secrets, nor its database, nor its code; only its static files", async () => {
    const asNginx = (command: string) => server.sh(`sudo -u www-data sh -c '${command}' 2>&1`);
    expect((await server.sh("id -nG www-data")).out.split(" ")).not.toContain("hbnb");
    expect((await asNginx("cat /etc/hbnb/hbnb.env")).code).not.toBe(0);
    expect((await asNginx("cat /var/lib/hbnb/hbnb.db")).code).not.toBe(0);
    expect((await asNginx("ls /var/lib/hbnb")).code).not.toBe(0);
    expect((await asNginx("cat /srv/hbnb/current/hbnb/wsgi.py")).code).not.toBe(0);
    expect((await asNginx("ls /srv/hbnb/current/")).code).not.toBe(0);
    expect((await asNginx("head -c 20 /srv/hbnb/current/hbnb/static/styles/common.css")).code).toBe(0);
  });

  test("the app user cannot write its release, but can write its data and logs", async () => {
    const as = (command: string) => server.sh(`sudo -u hbnb sh -c '${command}' 2>&1`);
    expect((await as("touch /srv/hbnb/current/hbnb/x")).code).not.toBe(0);
    expect((await as("touch /srv/hbnb/current/x")).code).not.toBe(0);
    expect((await as("touch /srv/hbnb/releases/x")).code).not.toBe(0);
    expect((await as("test -w /var/lib/hbnb && test -w /var/log/hbnb/access.log")).code).toBe(0);
    expect((await server.sh("sudo stat -c '%U' /var/lib/hbnb/hbnb.db")).out).toBe("hbnb");
  });

  test("the app's secrets are in a file only root and the app's group read, in the service, in no output", async () => {
    const key = server.secrets().flaskSecretKey;
    expect(key).toMatch(/^[A-Za-z0-9]{40,}$/);
    const env = server.plan.layout.envFile;
    expect((await server.sh(`sudo stat -c '%U:%G %a' ${env}`)).out).toBe("root:hbnb 640");
    expect((await server.sh(`sudo grep -x 'HBNB_SECRET_KEY=${key}' ${env} | wc -l`)).out).toBe("1");
    // The SSH user is not in the app's group: it cannot read the file.
    expect((await server.sh(`cat ${env}`)).code).not.toBe(0);
    const { master } = await server.gunicorn();
    expect(
      (await server.sh(`sudo cat /proc/${master}/environ | tr '\\0' '\\n' | grep -c '^HBNB_SECRET_KEY=${key}$'`)).out,
    ).toBe("1");
    // Everything the deploy printed, step by step, holds no secret.
    expect(server.log.join("\n")).not.toContain(key);
    expect(server.log.join("\n")).toContain("secrets: write the app's environment");
  });

  test("the host firewall lets in SSH, HTTP and HTTPS only", async () => {
    // A service listening on 8080 inside: it answers on the server, not from outside.
    await server.sh("sudo systemd-run --unit=e2e-probe python3 -m http.server 8080");
    try {
      const inside = await server.sh(
        "for i in $(seq 300); do curl -fsS -o /dev/null http://127.0.0.1:8080/ && exit 0; sleep 0.1; done; exit 1",
      );
      expect(inside.code).toBe(0);
      expect(await server.reachable(8080)).toBe(false);
      expect(await server.reachable(80)).toBe(true);
      expect(await server.reachable(22)).toBe(true);
    } finally {
      await server.sh("sudo systemctl stop e2e-probe");
    }
    const rules = (await server.sh("sudo ufw status")).out;
    expect(rules).toMatch(/^Status: active$/m);
    expect(rules).toMatch(/^22\/tcp +ALLOW +Anywhere/m);
    expect(rules).toMatch(/^80\/tcp +ALLOW +Anywhere/m);
    expect(rules).toMatch(/^443\/tcp +ALLOW +Anywhere/m);
  });

  test("the default site is gone, and the running config passes nginx -t", async () => {
    expect((await server.sh("ls /etc/nginx/sites-enabled")).out).toBe("hbnb");
    expect((await server.sh("sudo nginx -t 2>&1")).out).toContain("test is successful");
  });
});

describe("running the plan again", () => {
  test("every step says unchanged, and nothing restarts", async () => {
    const before = await server.gunicorn();
    const reports = await server.deploy(server.plan, { force: true });
    expect(ran(reports)).toEqual(server.plan.steps.map((s) => s.name));
    for (const report of reports) {
      expect([report.step, report.output]).toEqual([report.step, expect.stringContaining(`${report.step}: unchanged`)]);
      expect(report.output).not.toContain("changed:");
    }
    expect(await server.gunicorn()).toEqual(before);
  });

  test("with unchanged inputs, runs no step at all", async () => {
    expect(ran(await server.deploy())).toEqual([]);
  });

  test("a new worker count re-runs only configs and switch, by a graceful reload", async () => {
    const before = await server.gunicorn();
    server.configure({ workers: "5" });
    const reports = await server.deploy();
    expect(ran(reports)).toEqual(["configs", "switch"]);
    const after = await server.gunicorn();
    expect(after.master).toBe(before.master);
    expect(after.workers).toHaveLength(5);
  });

  test("a changed app is a new release, and the new code is what answers after the reload", async () => {
    const before = await server.gunicorn();
    const oldRelease = await server.serving();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-app-"));
    fs.cpSync(APP_DIR, path.join(work, "app"), { recursive: true });
    fs.appendFileSync(path.join(work, "app", "hbnb", "wsgi.py"), "\n# changed by the e2e test\n");
    const bundle = buildBundle(path.join(work, "build"), path.join(work, "app"));
    expect(bundle.release).not.toBe(oldRelease);
    const plan = buildPlan(server.settings, bundle, loadServerFiles());
    const reports = await server.deploy(plan);
    fs.rmSync(work, { recursive: true });
    expect(ran(reports)).toEqual(["release", "database", "switch", "prune"]);
    expect(await server.serving()).toBe(bundle.release);
    const after = await server.gunicorn();
    expect(after.master).toBe(before.master);
    expect(after.workers.filter((pid) => before.workers.includes(pid))).toEqual([]);
    expect((await server.http("/api/v1/status")).status).toBe(200);
  });
});

describe("after a reboot", () => {
  test("everything answers again with no manual step", async () => {
    await busy(() => reboot(server.name));
    // SSH answers before the boot is over: wait for systemd to finish starting units.
    expect((await server.sh("systemctl is-system-running --wait")).out).toBe("running");
    const { service } = server.plan.layout;
    expect((await server.sh(`systemctl is-active ${service} nginx`)).out).toBe("active\nactive");
    expect((await server.http("/airbnb-onepage/")).body).toBe("Hello HBNB!");
    expect(JSON.parse((await server.http("/api/v1/status")).body)).toEqual({ status: "OK" });
    expect((await server.http("/static/scripts/jquery.min.js")).status).toBe(200);
    expect(await server.reachable(8080)).toBe(false);
  });
});
