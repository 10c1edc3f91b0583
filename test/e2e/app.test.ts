import * as fs from "fs";
import * as path from "path";
import { chromium, Browser } from "playwright-core";
import { json, RESULTS, TestServer } from "./server";

/**
 * The bundled HBnB app as its users see it on a deployed server: the REST API through Nginx,
 * and the page in a real headless Chromium (Debian's), from outside the server.
 */
jest.setTimeout(10 * 60_000);
const server = new TestServer("hbnb-e2e-app");

beforeAll(async () => {
  await server.create();
  await server.deploy();
});
afterAll(() => server.destroy());

describe("the REST API through Nginx", () => {
  test("create a state, read it back, delete it", async () => {
    const created = await server.http("/api/v1/states", json({ name: "E2E Territory" }));
    expect(created.status).toBe(201);
    const state = JSON.parse(created.body) as { id: string; name: string };
    expect(state.name).toBe("E2E Territory");

    const read = await server.http(`/api/v1/states/${state.id}`);
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body)).toMatchObject({ id: state.id, name: "E2E Territory" });

    const deleted = await server.http(`/api/v1/states/${state.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(JSON.parse(deleted.body)).toEqual({});

    const gone = await server.http(`/api/v1/states/${state.id}`);
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.body)).toEqual({ error: "Not found" });
  });

  test.each<[string, string, RequestInit, number, unknown]>([
    [
      "not JSON",
      "/api/v1/states",
      { method: "POST", body: "name=x", headers: { "Content-Type": "text/plain" } },
      400,
      { error: "Not a JSON" },
    ],
    ["a missing field", "/api/v1/states", json({}), 400, { error: "Missing name" }],
    ["an unknown id", "/api/v1/places/nope", {}, 404, { error: "Not found" }],
    ["an unknown route", "/api/v1/nope", {}, 404, { error: "Not found" }],
    [
      "a body over 1 MiB, refused by Nginx",
      "/api/v1/states",
      json({ name: "x".repeat(2 * 1024 * 1024) }),
      413,
      { error: "Request body too large" },
    ],
  ])("%s is a 4xx in JSON", async (_, route, init, status, body) => {
    const response = await server.http(route, init);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toEqual(body);
  });

  test("places_search with no filter lists every place", async () => {
    const stats = JSON.parse((await server.http("/api/v1/stats")).body) as { places: number };
    const places = JSON.parse((await server.http("/api/v1/places_search", json({}))).body) as unknown[];
    expect(places).toHaveLength(stats.places);
    expect(stats.places).toBeGreaterThan(0);
  });
});

describe("the page in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    // Flags for this machine (root, no GPU, no network but the test hosts): see the env notes.
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });
  afterAll(() => browser?.close());

  test("loads with no failed request and no console error; an amenity filters the places exactly", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("requestfailed", (request) => problems.push(`failed: ${request.url()}`));
    page.on("response", (response) => {
      if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
    });
    const base = `http://${server.host.address}`;

    await page.goto(`${base}/`, { waitUntil: "networkidle" });
    await page.waitForSelector("#api_status.available", { timeout: 10_000 });
    const all = JSON.parse((await server.http("/api/v1/places_search", json({}))).body) as { name: string }[];
    await page.waitForFunction((n) => document.querySelectorAll("#places_list article").length === n, all.length);

    // An amenity that some places have and others do not, so that the list must change.
    const amenities = JSON.parse((await server.http("/api/v1/amenities")).body) as { id: string; name: string }[];
    let chosen: { id: string; name: string; places: string[] } | undefined;
    for (const amenity of amenities) {
      const found = JSON.parse(
        (await server.http("/api/v1/places_search", json({ amenities: [amenity.id] }))).body,
      ) as { name: string }[];
      if (found.length > 0 && found.length < all.length) {
        chosen = { ...amenity, places: found.map((p) => p.name).sort() };
        break;
      }
    }
    expect(chosen).toBeDefined();

    // The filter lists open on hover, as in the original.
    await page.hover(".filters .amenities");
    await page.check(`input[data-filter="amenities"][data-id="${chosen!.id}"]`);
    expect((await page.textContent(".filters .amenities h4"))?.trim()).toBe(chosen!.name);
    await page.click("#search");
    await page.waitForFunction(
      (n) => document.querySelectorAll("#places_list article").length === n,
      chosen!.places.length,
    );
    const shown = (
      await page.$$eval("#places_list article h2", (titles) => titles.map((t) => t.textContent ?? ""))
    ).sort();
    expect(shown).toEqual(chosen!.places);

    fs.mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, "hbnb-page.png"), fullPage: true });
    expect(problems).toEqual([]);
  });
});
