import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { buildBundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan, DRAIN_MARKER } from "../../core/plan";
import { parseSettings } from "../../core/settings";

/**
 * The drain location the plan renders behind AWS's load balancer, served by a real Nginx (the
 * distribution's, a test dependency of local/deps.sh) on a loopback port of this test: with the
 * marker, the load balancer's health path answers 503; without it, the answer of the switch's
 * check path (here a stand-in location for the app's /api/v1/status). Only the location is
 * taken from the rendered guards; the marker's path is the test's own.
 */
const fixtures = path.join(__dirname, "..", "fixtures");
// Two servers behind AWS's load balancer, on RDS.
const behindAlb = {
  target: "aws",
  adminCidrs: '["203.0.113.7/32"]',
  publicKey: fs.readFileSync(path.join(fixtures, "id_ed25519.pub"), "utf8").trim(),
  privateKey: fs.readFileSync(path.join(fixtures, "id_ed25519"), "utf8"),
  instanceCount: "2",
  database: "rds",
};
const guards = buildPlan(parseSettings(behindAlb), buildBundle(), loadServerFiles()).configs.guards;
const location = /^location = \/-\/balancer \{\n[\s\S]*?\n\}$/m.exec(guards)![0];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-drain-nginx-"));
const marker = path.join(dir, "drained");
let nginx: ChildProcess;
let port: number;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port: p } = server.address() as net.AddressInfo;
      server.close(() => resolve(p));
    });
  });
const get = (url: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    http
      .get(`http://127.0.0.1:${port}${url}`, (res) => {
        let body = "";
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      })
      .on("error", reject);
  });

beforeAll(async () => {
  port = await freePort();
  const config = [
    "daemon off;",
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log;`,
    "events {}",
    "http {",
    `  access_log off; client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};`,
    `  server { listen 127.0.0.1:${port};`,
    location.split(DRAIN_MARKER).join(marker),
    '    location /api/ { return 200 "the app\'s status\\n"; }',
    "  }",
    "}",
  ].join("\n");
  fs.writeFileSync(path.join(dir, "nginx.conf"), config);
  const check = spawnSync("nginx", ["-t", "-c", path.join(dir, "nginx.conf"), "-p", dir], { encoding: "utf8" });
  expect(check.status).toBe(0);
  nginx = spawn("nginx", ["-c", path.join(dir, "nginx.conf"), "-p", dir], { stdio: "ignore" });
  // Bounded: Nginx listens within a second on an idle machine; the wait is for the event.
  for (let i = 0; i < 300; i++) {
    const up = await get("/api/").then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});
afterAll(() => {
  nginx?.kill("SIGQUIT");
  fs.rmSync(dir, { recursive: true, force: true });
});

test("the rendered location checks the plan's marker and rewrites to the switch's check path", () => {
  expect(location).toContain(`if (-f ${DRAIN_MARKER})`);
  expect(location).toContain("rewrite ^ /api/v1/status last;");
});

test("without the marker: the app's answer; with it: 503; removed: the app's answer again", async () => {
  expect(await get("/-/balancer")).toEqual({ status: 200, body: "the app's status\n" });
  fs.writeFileSync(marker, "");
  expect((await get("/-/balancer")).status).toBe(503);
  // Visitors' requests are untouched by the marker: only the load balancer's health path answers 503.
  expect((await get("/api/v1/status")).status).toBe(200);
  fs.rmSync(marker);
  expect(await get("/-/balancer")).toEqual({ status: 200, body: "the app's status\n" });
});

test("with a server name, the catch-all of other names (444) sends the health path alone to the names' block", () => {
  // AWS's health check carries the instance's address as Host: without this it would get 444.
  const raw = { ...behindAlb, serverName: "example.com www.example.com" };
  const custom = { layout: "custom", services: '[{"name": "web", "app": "app:app", "routes": [{"path": "/"}]}]' };
  for (const layout of [{}, custom]) {
    const site = buildPlan(parseSettings({ ...raw, ...layout }), buildBundle(), loadServerFiles()).configs.site;
    const catchAll = /^server \{\n {4}listen 80 default_server;[\s\S]*?\n\}$/m.exec(site)![0];
    expect(catchAll).toContain(
      "    location = /-/balancer {\n        proxy_pass http://127.0.0.1;\n        proxy_set_header Host example.com;\n    }",
    );
    expect(catchAll).toContain("    location / {\n        return 444;\n    }");
  }
});
