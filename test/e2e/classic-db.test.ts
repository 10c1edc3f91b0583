import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Browser } from "playwright-core";
import { reboot } from "../../local/hosts";
import { launchBrowser, watchedPage } from "./browser";
import { checkClassicRoutes } from "./classic-routes";
import { appEnvironment, CDN_JQUERY, commitHello, HARD_CODED_API, PRESETS, writeRepo } from "./fixture-repos";
import { busy } from "./alone";
import { json, TestServer } from "./server";
import { expectNoFailure, underLoad } from "./wait";

/**
 * A classic AirBnB clone with DB storage (HBNB_TYPE_STORAGE=db), from a local directory: MariaDB
 * on the server, made by the stack; the original page, whose JS calls http://0.0.0.0:5001/api/v1/
 * and loads jQuery from a CDN, working in Chromium through Nginx's rewrite; the data kept across
 * a release and a reboot; MariaDB out of reach from outside.
 */
jest.setTimeout(10 * 60_000);
const server = new TestServer("hbnb-e2e-classic-db");
const preset = PRESETS.classicDb;
let work: string;
let repo: string;
let overrides: Record<string, string>;
const places = ["Maria Loft", "Maria Barn"];

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-e2e-classic-db-"));
  repo = path.join(work, "classic");
  writeRepo(repo, preset);
  overrides = {
    appSource: repo,
    layout: "classic",
    appEnvironment: JSON.stringify(appEnvironment(preset)),
    rewriteClassicUrls: "true",
    // The exercise's API has no rate limit; the route walk writes in bursts (see classic.test.ts).
    apiRateLimit: "0",
  };
  await server.create();
  server.configure(overrides);
  await server.deploy();
}, 900_000);

afterAll(async () => {
  await server.destroy();
  fs.rmSync(work, { recursive: true, force: true });
}, 300_000);

test("the stack made MariaDB for the app: the apps keep their data there, not in a file", async () => {
  expect(server.plan.steps.map((s) => s.name)).toContain("mariadb");
  expect((await server.sh("systemctl is-active mariadb")).out).toBe("active");
  expect((await server.sh("sudo test -e /var/lib/hbnb/file.json; echo $?")).out).toBe("1");
});

test("every route of the exercise and the API's CRUD answer as the exercise says", async () => {
  expect(await checkClassicRoutes(`http://${server.host.address}`)).toEqual([]);
});

describe("the original page in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  test("its hard-coded API and CDN jQuery rewritten: #api_status on, the places load, no request fails", async () => {
    // The repository's own files still say what the original says.
    const js = fs.readFileSync(path.join(repo, "web_dynamic/static/scripts/100-hbnb.js"), "utf8");
    expect(js).toContain(HARD_CODED_API);
    expect(fs.readFileSync(path.join(repo, "web_dynamic/templates/100-hbnb.html"), "utf8")).toContain(CDN_JQUERY);
    const state = await server.created("/api/v1/states", { name: "Maria State" });
    const city = await server.created(`/api/v1/states/${state}/cities`, { name: "Maria City" });
    const user = await server.created("/api/v1/users", { email: "maria@example.com", password: "pwd" });
    for (const name of places) await server.created(`/api/v1/cities/${city}/places`, { user_id: user, name });

    const { page, problems } = await watchedPage(browser);
    const asked: string[] = [];
    page.on("request", (request) => asked.push(request.url()));
    const base = `http://${server.host.address}`;
    await page.goto(`${base}/`, { waitUntil: "networkidle" });
    await page.waitForSelector("#api_status.available", { timeout: 10_000 });
    await page.waitForFunction((n) => document.querySelectorAll("section.places article").length === n, places.length);
    const titles = await page.$$eval("section.places article h2", (h) => h.map((t) => t.textContent ?? ""));
    expect(titles.sort()).toEqual([...places].sort());
    expect(problems).toEqual([]);
    // Every request went to this server: the API and jQuery through the rewrite.
    expect(asked.filter((url) => !url.startsWith(base))).toEqual([]);
    expect(asked).toContain(`${base}/api/v1/places_search`);
    expect(asked).toContain(`${base}/_hbnb_stack/cdn/3.7.1/jquery.min.js`);
  });
});

describe("the data in MariaDB", () => {
  test("outlives a new release, deployed under load with no failed request", async () => {
    commitHello(repo, preset, "Hello from MariaDB!");
    server.configure(overrides);
    const { loads } = await underLoad(server, () => server.deploy(), [
      "/",
      "/api/v1/states",
      "/static/styles/4-common.css",
    ]);
    expectNoFailure(loads);
    expect(await server.http("/airbnb-onepage/")).toMatchObject({ status: 200, body: "Hello from MariaDB!" });
    const found = JSON.parse((await server.http("/api/v1/places_search", json({}))).body) as { name: string }[];
    expect(found.map((p) => p.name).sort()).toEqual([...places].sort());
  });

  test("outlives a reboot: MariaDB and every app start by themselves", async () => {
    await busy(() => reboot(server.name));
    expect((await server.sh("systemctl is-system-running --wait")).out).toBe("running");
    const found = JSON.parse((await server.http("/api/v1/places_search", json({}))).body) as { name: string }[];
    expect(found.map((p) => p.name).sort()).toEqual([...places].sort());
  });

  test("MariaDB answers nothing from outside: no TCP port at all", async () => {
    expect((await server.sh("ss -Hltn 'sport = :3306'")).out).toBe("");
    expect(await server.reachable(3306)).toBe(false);
    expect(await server.reachable(80)).toBe(true);
  });
});
