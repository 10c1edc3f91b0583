import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { WebServer } from "../../core/balancer";
import { APP_DIR, Bundle, buildBundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan } from "../../core/plan";
import { backendStat, putBalancerInFront, roll, RollFailed, STAT_FIELDS } from "../../local/balancer";
import { reboot } from "../../local/hosts";
import { busy } from "./alone";
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
let next: Bundle;

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
  await lb.create();
  await Promise.all(webs.map((web) => web.create()));
  for (const web of webs) web.configure({ loadBalancerHost: lb.host.address });
  await Promise.all(webs.map((web) => web.deploy()));
  servers = await busy(() => putBalancerInFront(lb, webs, webs[0].plan, files, (line) => lb.log.push(line)));
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
    await until(
      "no request is left on the cut-off server",
      120,
      async () => (await stat())[victim.name][STAT_FIELDS.scur] === "0",
    );
  });
  const failed = before.loads.reduce((n, l) => n + Object.values(l.errors).reduce((a, b) => a + b, 0), 0);
  console.log(
    `cut off mid-load: ${failed} failed request(s) of ${before.loads.reduce((n, l) => n + l.requests, 0)}: ${JSON.stringify(before.loads.map((l) => [l.url, l.errors]))}`,
  );
  // Each of wrk's connections (8 a path) has one request in flight at a time, and one stuck on
  // the cut-off server holds it until after HAProxy marks it DOWN: at most one failure each.
  expect(failed).toBeLessThanOrEqual(2 * 8);
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
