import * as fs from "fs";
import * as path from "path";
import { Browser } from "playwright-core";
import { launchBrowser, watchedPage } from "./browser";
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

describe("Nginx's cache of the app's answers", () => {
  type Place = { id: string; name: string };
  const search = async (body: unknown, init: RequestInit = {}) => {
    const response = await server.http("/api/v1/places_search", { ...json(body), ...init });
    return {
      ...response,
      names: response.status === 200 ? (JSON.parse(response.body) as Place[]).map((p) => p.name) : [],
    };
  };
  const cache = (response: { headers: Headers }) => response.headers.get("x-cache-status");

  beforeAll(async () => {
    // The API answers a burst of 20 requests a client, then 10 a second: let the tests
    // above give back what they took.
    await new Promise((resolve) => setTimeout(resolve, 2500));
  });

  test("the page comes from the cache until the data changes, and is never stale", async () => {
    await server.http("/");
    const again = await server.http("/");
    expect([again.status, cache(again)]).toEqual([200, "HIT"]);

    const created = JSON.parse((await server.http("/api/v1/states", json({ name: "E2E Cached State" }))).body) as Place;
    const changed = await server.http("/");
    expect([cache(changed), changed.body.includes("E2E Cached State")]).toEqual(["MISS", true]);
    expect(cache(await server.http("/"))).toBe("HIT");

    await server.http(`/api/v1/states/${created.id}`, { method: "DELETE" });
    const after = await server.http("/");
    expect([cache(after), after.body.includes("E2E Cached State")]).toEqual(["MISS", false]);
  });

  test("places_search: the same search is a HIT, a new link shows at once, the body and its type are the key", async () => {
    const amenities = JSON.parse((await server.http("/api/v1/amenities")).body) as Place[];
    const pool = amenities.find((a) => a.name === "Pool")!;
    const before = await search({ amenities: [pool.id] });
    expect(cache(await search({ amenities: [pool.id] }))).toBe("HIT");
    const everything = await search({});
    expect(everything.names.length).toBeGreaterThan(before.names.length);

    const other = (JSON.parse(everything.body) as Place[]).find((p) => !before.names.includes(p.name))!;
    const link = await server.http(`/api/v1/places/${other.id}/amenities/${pool.id}`, { method: "POST" });
    expect(link.status).toBe(201);
    const linked = await search({ amenities: [pool.id] });
    expect([cache(linked), linked.names.sort()]).toEqual(["MISS", [...before.names, other.name].sort()]);
    await server.http(`/api/v1/places/${other.id}/amenities/${pool.id}`, { method: "DELETE" });

    // The body of a cached search, sent as text: the app's 400, not the cached 200.
    const asText = await search({}, { headers: { "Content-Type": "text/plain" } });
    expect([asText.status, JSON.parse(asText.body)]).toEqual([400, { error: "Not a JSON" }]);
  });

  test("the number page is kept for the release", async () => {
    await server.http("/airbnb-dynamic/number_odd_or_even/42");
    const again = await server.http("/airbnb-dynamic/number_odd_or_even/42");
    expect([again.status, cache(again), again.body.includes("Number: 42 is even")]).toEqual([200, "HIT", true]);
    // The app's own path shares the entry.
    expect(cache(await server.http("/number_odd_or_even/42"))).toBe("HIT");
  });

  test("the API's status is kept until the end of the second after it was stored, never longer: then a stopped app shows", async () => {
    // Nginx's cache lifetimes count whole seconds of its own clock: an answer stored during
    // second S is valid until S + 1 (valid_sec = now + 1) and expired once that second has
    // passed (valid_sec < now), so it serves for more than one second and at most two. Its
    // Date header is that same clock (the same cached time as the cache's), so the bound is
    // checked on it, with its resolution, and not against this machine's timers.
    const status = async () => {
      const response = await server.http("/api/v1/status");
      return {
        status: response.status,
        cache: cache(response),
        second: Date.parse(response.headers.get("date")!) / 1000,
      };
    };
    // The API's rate limit (10 a second after a burst) is never reached at this pace.
    const pause = () => new Promise((resolve) => setTimeout(resolve, 250));
    let stored = await status();
    for (let i = 0; i < 12 && !["MISS", "EXPIRED"].includes(stored.cache!); i++) {
      await pause();
      stored = await status();
    }
    expect([stored.status, stored.cache]).toEqual([200, expect.stringMatching(/^(MISS|EXPIRED)$/)]);
    const again = await status();
    // Asked within its lifetime, it comes from the cache (asked later, Nginx stores another).
    if (again.second <= stored.second + 1) expect([again.status, again.cache]).toEqual([200, "HIT"]);
    else stored = again;

    // Both: a request on the socket alone would start the app again.
    expect((await server.sh("sudo systemctl stop hbnb.socket hbnb")).code).toBe(0);
    try {
      // With the app stopped nothing new is stored: each answer is the entry of second S while
      // it lives, and from the second it expires on, a 502 (the expired entry is not served).
      // Asked until the 502, for at most 6 s.
      const seen: { status: number; cache: string | null; second: number }[] = [];
      for (let i = 0; i < 24 && !seen.some((a) => a.second >= stored.second + 2); i++) {
        seen.push(await status());
        await pause();
      }
      const expected = seen.map((a) =>
        a.second <= stored.second + 1 ? { ...a, status: 200, cache: "HIT" } : { ...a, status: 502, cache: "EXPIRED" },
      );
      expect(seen).toEqual(expected);
      expect(seen.filter((a) => a.status === 502)).toHaveLength(1);
    } finally {
      expect((await server.sh("sudo systemctl start hbnb")).code).toBe(0);
    }
    expect((await server.http("/api/v1/status")).status).toBe(200);
  });
});

describe("the page in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  test("loads with no failed request and no console error; an amenity filters the places exactly", async () => {
    const { page, problems } = await watchedPage(browser);
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

  test("places come a page at a time: scrolling to More, or clicking it, appends the next page of the search", async () => {
    // 70 places more than the demo's 12, inserted directly into the database (and the data's
    // generation moved on, as the app does on a write): the page asks 30 at a time, so 3 pages.
    const db = `${server.settings.app.dataDir}/hbnb.db`;
    const python = (code: string) => server.sh(`sudo -u hbnb python3 -c "${code}"`);
    const grow =
      `import sqlite3, uuid; c = sqlite3.connect('${db}'); ` +
      "city, user = c.execute('SELECT cities.id, users.id FROM cities, users LIMIT 1').fetchone(); " +
      "c.executemany('INSERT INTO places (id, created_at, updated_at, city_id, user_id, name, number_rooms, " +
      "number_bathrooms, max_guest, price_by_night) VALUES (?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?, ?, ?, 1, 1, 2, 80)', " +
      "[(str(uuid.uuid4()), city, user, 'E2E paged %02d' % i) for i in range(70)]); " +
      "c.execute('UPDATE data_generation SET value = value + 1'); c.commit()";
    expect((await python(grow)).code).toBe(0);
    const { page, problems } = await watchedPage(browser);
    try {
      // What the page asks of places_search, and the cursor each answer names, in order.
      const asked: { body: { limit?: number; after?: string | null }; next: string | null }[] = [];
      page.on("response", (response) => {
        if (response.url().endsWith("/api/v1/places_search"))
          asked.push({ body: response.request().postDataJSON(), next: response.headers()["x-next-page"] ?? null });
      });
      const every = JSON.parse((await server.http("/api/v1/places_search", json({ limit: 1000 }))).body) as {
        name: string;
      }[];
      expect(every).toHaveLength(82);
      const titles = () => page.$$eval("#places_list article h2", (h) => h.map((t) => t.textContent ?? ""));
      const count = (n: number) =>
        page.waitForFunction((n) => document.querySelectorAll("#places_list article").length === n, n);

      // The first page, and More under it (below the fold: 30 cards are taller than the window).
      await page.goto(`http://${server.host.address}/`, { waitUntil: "networkidle" });
      await page.waitForSelector("#more_places:visible");
      expect(await titles()).toEqual(every.slice(0, 30).map((p) => p.name));
      // Scrolled into view, it loads the next page (which pushes it down again), until the last.
      for (const shown of [30, 60]) {
        await page.evaluate(() => document.getElementById("more_places")!.scrollIntoView());
        await page.waitForFunction((n) => document.querySelectorAll("#places_list article").length > n, shown);
      }
      await count(82);
      await page.waitForSelector("#more_places", { state: "hidden" });
      expect(await titles()).toEqual(every.map((p) => p.name));
      expect(asked).toEqual([
        { body: expect.objectContaining({ limit: 30, after: null }), next: expect.any(String) },
        { body: expect.objectContaining({ limit: 30, after: asked[0].next }), next: expect.any(String) },
        { body: expect.objectContaining({ limit: 30, after: asked[1].next }), next: null },
      ]);

      // A new search starts again from its first page; a click on More appends the next one.
      // (From the top of the page, so that More stays below the fold; and clicked where it is,
      // as a visitor's click is: Playwright's click would scroll it into view first.)
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.click("#search");
      await count(30);
      await page.locator("#more_places").dispatchEvent("click");
      await count(60);
      expect(await titles()).toEqual(every.slice(0, 60).map((p) => p.name));

      expect(problems).toEqual([]);

      // A window taller than two pages: More stays in view after each, and the page fills it.
      // (A page of its own: resizing this one would start a load that a reload would cut.)
      const tall = await watchedPage(browser);
      try {
        await tall.page.setViewportSize({ width: 1280, height: 20_000 });
        await tall.page.goto(`http://${server.host.address}/`, { waitUntil: "networkidle" });
        await tall.page.waitForFunction(() => document.querySelectorAll("#places_list article").length === 82);
        await tall.page.waitForSelector("#more_places", { state: "hidden" });
        expect(await tall.page.$$eval("#places_list article h2", (h) => h.map((t) => t.textContent ?? ""))).toEqual(
          every.map((p) => p.name),
        );
        expect(tall.problems).toEqual([]);
      } finally {
        await tall.page.close();
      }
    } finally {
      await page.close();
      const shrink =
        `import sqlite3; c = sqlite3.connect('${db}'); c.execute('DELETE FROM places WHERE name LIKE ?', ('E2E paged %',)); ` +
        "c.execute('UPDATE data_generation SET value = value + 1'); c.commit()";
      expect((await python(shrink)).code).toBe(0);
    }
  });
});
