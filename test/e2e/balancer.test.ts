import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildBalancerPlan, runtimeShowStat, WebServer } from "../../core/balancer";
import { APP_DIR, buildBundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan } from "../../core/plan";
import { roll } from "../../local/balancer";
import { stateFile } from "../../local/hosts";
import { runPlan } from "../../local/runner";
import { TestServer } from "./server";
import { expectNoFailure, underLoad, until } from "./wait";

/**
 * Two web servers behind a third that runs HAProxy (loadBalancerHost), all booted local servers:
 * both serve through it, and a rolling deploy of a new release under load through it fails no
 * request. Each web server keeps its own SQLite database (each one's settings: the stack with one
 * web server behind the load balancer, which the settings allow): this file is about routing and
 * the roll, not about a shared database, which the settings demand for more than one.
 */
jest.setTimeout(15 * 60_000);
const files = loadServerFiles();
const lb = new TestServer("hbnb-lb");
const webs = [new TestServer("hbnb-web1"), new TestServer("hbnb-web2")];
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-balancer-"));
let servers: WebServer[];

/** HAProxy's `show stat` lines of the web backend's servers: name → its fields (1-based, as in the CSV). */
async function stat(): Promise<Record<string, string[]>> {
  const out = await lb.run(runtimeShowStat());
  const rows = out.split("\n").map((line) => ["", ...line.split(",")]);
  return Object.fromEntries(rows.filter((r) => r[1] === "web" && r[2] !== "BACKEND").map((r) => [r[2], r]));
}
const STATUS = 18;
const STOT = 8;

beforeAll(async () => {
  await lb.create();
  await Promise.all(webs.map((web) => web.create()));
  servers = webs.map((web) => ({ name: web.name, address: web.host.address }));
  for (const web of webs) web.configure({ loadBalancerHost: lb.host.address });
  await Promise.all(webs.map((web) => web.deploy()));
  const plan = buildBalancerPlan(lb.settings, webs[0].plan, servers, files);
  await runPlan(lb.target, plan, { stateFile: stateFile(lb.name), secrets: {}, log: (line) => lb.log.push(line) });
  await until("HAProxy reports both web servers UP", 60, async () =>
    Object.values(await stat()).every((row) => row[STATUS] === "UP"),
  );
});
afterAll(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  await Promise.all([lb, ...webs].map((server) => server.destroy()));
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
  const app = path.join(work, "next", "app");
  fs.cpSync(APP_DIR, app, { recursive: true });
  fs.appendFileSync(path.join(app, "hbnb", "wsgi.py"), "\n# the next release\n");
  const next = buildBundle(path.join(work, "next", "build"), app);
  const plans = webs.map((web) => buildPlan(web.settings, next, files));
  const { loads } = await underLoad(lb, () =>
    roll(
      lb.target,
      webs.map((web, i) => ({ server: servers[i], deploy: () => web.deploy(plans[i]) })),
      files,
      (line) => lb.log.push(line),
    ),
  );
  console.log(`roll under load through HAProxy: ${JSON.stringify(loads.map((l) => [l.url, l.requests, l.errors]))}`);
  expectNoFailure(loads);
  for (const [i, web] of webs.entries()) expect(await web.serving(plans[i])).toBe(next.release);
  expect(Object.values(await stat()).map((row) => row[STATUS])).toEqual(["UP", "UP"]);
});
