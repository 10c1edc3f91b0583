import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Browser } from "playwright-core";
import { gitDaemon, Server } from "../unit/git-fixtures";
import { launchBrowser, watchedPage } from "./browser";
import { checkClassicRoutes } from "./classic-routes";
import { appEnvironment, commitBrokenImport, commitHello, HELLO, PRESETS, writeRepo } from "./fixture-repos";
import { json, TestServer } from "./server";
import { expectNoFailure, failure, underLoad } from "./wait";

/**
 * A classic AirBnB clone (test/fixtures/classic, file storage) deployed from a git repository
 * with `layout: classic`, on a server that served the bundled app before: the exercise's four
 * apps, each its own Gunicorn; every route from outside; the page in Chromium; the JSON file
 * storage in the data directory across releases; a new commit under load; a broken one refused.
 */
jest.setTimeout(10 * 60_000);
const server = new TestServer("hbnb-e2e-classic");
const preset = PRESETS.classicFile;
const units = ["hello", "number", "api", "page"].map((name) => `hbnb-${name}`);
// What the load of a deploy asks for: a page of each kind of app, and a static file.
const loaded = ["/airbnb-onepage/", "/airbnb-dynamic/number_odd_or_even/6", "/", "/static/styles/4-common.css"];
let work: string;
let repo: string;
let daemon: Server;
let overrides: Record<string, string>;
let switched: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-e2e-classic-"));
  repo = path.join(work, "repos", "classic");
  writeRepo(repo, preset);
  daemon = await gitDaemon(path.join(work, "repos"));
  overrides = {
    appSource: `git://127.0.0.1:${daemon.port}/classic`,
    appRef: "main",
    layout: "classic",
    appEnvironment: JSON.stringify(appEnvironment(preset)),
    // The classic API is open to writes, as in the exercise; the route walk writes in bursts
    // that the per-address rate limit (tested on the bundled app) would answer with 429.
    apiRateLimit: "0",
  };
  await server.create();
  await server.deploy();
  server.configure(overrides);
  const reports = await server.deploy();
  switched = reports.map((r) => r.output).join("\n");
}, 900_000);

afterAll(async () => {
  await server.destroy();
  await daemon?.stop();
  fs.rmSync(work, { recursive: true, force: true });
}, 300_000);

describe("the switch from the bundled app", () => {
  test("the bundled app's service stops and goes; each of the four apps runs its own Gunicorn on its own socket", async () => {
    expect(switched).toContain("prune: changed: stopped and removed hbnb, a service the release no longer runs");
    expect((await server.sh("systemctl cat hbnb.service >/dev/null 2>&1; echo $?")).out).not.toBe("0");
    const masters = new Set<number>();
    for (const unit of units) {
      expect((await server.sh(`systemctl is-active ${unit} ${unit}.socket; systemctl is-enabled ${unit}`)).out).toBe(
        "active\nactive\nenabled",
      );
      expect((await server.sh(`sudo stat -c '%A %U' /run/${unit}/gunicorn.sock`)).out).toBe("srw------- www-data");
      const { master, workers } = await server.gunicorn(unit);
      expect(workers.length).toBe(server.plan.layout.services.find((s) => s.unit === unit)!.workers);
      masters.add(master);
    }
    expect(masters.size).toBe(4);
    // The whole exercise runs as the app's user, with no route of the bundled app left.
    expect((await server.http("/-/health")).status).toBe(404);
  });
});

describe("the exercise's routes, from outside", () => {
  test("every route and the API's CRUD answer as the exercise says", async () => {
    expect(await checkClassicRoutes(`http://${server.host.address}`)).toEqual([]);
  });
});

describe("the page in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  test("#api_status is on, the places load, and no request fails", async () => {
    const state = await server.created("/api/v1/states", { name: "Classic State" });
    const city = await server.created(`/api/v1/states/${state}/cities`, { name: "Classic City" });
    const user = await server.created("/api/v1/users", { email: "classic@example.com", password: "pwd" });
    for (const name of ["Classic Loft", "Classic Barn"]) {
      await server.created(`/api/v1/cities/${city}/places`, { user_id: user, name });
    }
    const { page, problems } = await watchedPage(browser);
    await page.goto(`http://${server.host.address}/`, { waitUntil: "networkidle" });
    await page.waitForSelector("#api_status.available", { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll("section.places article").length === 2);
    const titles = await page.$$eval("section.places article h2", (h) => h.map((t) => t.textContent ?? ""));
    expect(titles.sort()).toEqual(["Classic Barn", "Classic Loft"]);
    expect(problems).toEqual([]);
  });
});

describe("file storage", () => {
  test("the app's file.json lives in the data directory, through a link in the release", async () => {
    expect((await server.sh("readlink /srv/hbnb/current/file.json")).out).toBe("/var/lib/hbnb/file.json");
    expect((await server.sh("sudo stat -c '%U %a' /var/lib/hbnb/file.json")).out).toBe("hbnb 660");
    expect((await server.sh("sudo grep -c 'Classic Loft' /var/lib/hbnb/file.json")).out).toBe("1");
  });
});

describe("a new commit", () => {
  test("goes live under load with no failed request; every Gunicorn reloads with its master kept", async () => {
    const before = await Promise.all(units.map((unit) => server.gunicorn(unit)));
    commitHello(repo, preset, "Hello again!");
    server.configure(overrides);
    const { loads } = await underLoad(server, () => server.deploy(), loaded);
    expectNoFailure(loads);
    expect(await server.http("/airbnb-onepage/")).toMatchObject({ status: 200, body: "Hello again!" });
    expect(await server.serving()).toBe(server.plan.release);
    const after = await Promise.all(units.map((unit) => server.gunicorn(unit)));
    expect(after.map((g) => g.master)).toEqual(before.map((g) => g.master));
    // The data of the release before is the new one's too.
    const places = JSON.parse((await server.http("/api/v1/places_search", json({}))).body) as { name: string }[];
    expect(places.map((p) => p.name).sort()).toEqual(["Classic Barn", "Classic Loft"]);
  });

  test("the operator's rollback takes every service back to the release before, under load", async () => {
    const live = await server.serving();
    const { result, loads } = await underLoad(server, () => server.sh("sudo hbnb-rollback 2>&1"), loaded);
    expectNoFailure(loads);
    expect(result.code).toBe(0);
    expect(await server.serving()).not.toBe(live);
    expect(await server.http("/airbnb-onepage/")).toMatchObject({ status: 200, body: HELLO });
    for (const unit of units) expect(result.out).toContain(`reloaded ${unit}: release`);
  });

  test("that imports a module no installed package provides is refused before it is unpacked; the live release keeps serving", async () => {
    const live = await server.serving();
    commitBrokenImport(repo, preset, "missing-module");
    server.configure(overrides);
    const { result: error, loads } = await underLoad(server, () => failure(server.deploy()), loaded);
    expectNoFailure(loads);
    expect(error.step).toBe("release");
    expect(error.output).toContain("missing module flasgger_missing (imported by api/v1/app.py:");
    expect(await server.serving()).toBe(live);
    expect((await server.sh(`test -d /srv/hbnb/releases/${server.plan.release}; echo $?`)).out).toBe("1");
    expect(await server.http("/airbnb-onepage/")).toMatchObject({ status: 200, body: HELLO });
  });
});
