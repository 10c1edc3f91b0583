import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APP_DIR, Bundle, buildBundle } from "../../core/bundle";
import { buildPlan } from "../../core/plan";
import { loadServerFiles } from "../../core/files";
import { alone } from "./alone";
import { json, TestServer } from "./server";
import { expectNoFailure, underLoad, until } from "./wait";

/**
 * The page and places_search from Nginx's cache with no Gunicorn round trip while the data is
 * unchanged, and never stale (files/nginx/data-cache.conf.njk, hbnb/generation_link.py): every
 * write of the API is seen by the very next request under load; a change behind the app's back
 * within the stated bound; a release switch and a rollback never serve the old release's page.
 */
jest.setTimeout(10 * 60_000);
const server = new TestServer("hbnb-e2e-data-cache");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-data-cache-"));
type Place = { id: string; name: string };

const cache = (response: { headers: Headers }) => response.headers.get("x-cache-status");
const search = async (body: unknown) => {
  const response = await server.http("/api/v1/places_search", json(body));
  expect(response.status).toBe(200);
  return { cache: cache(response), names: (JSON.parse(response.body) as Place[]).map((p) => p.name).sort() };
};
const page = async () => {
  const response = await server.http("/");
  expect(response.status).toBe(200);
  return { cache: cache(response), body: response.body };
};
/** The lines Gunicorn's access log holds (each request a worker answered is one). */
const accessLog = async () =>
  (await server.sh(`sudo cat ${server.plan.layout.services[0].accessLog}`)).out.split("\n").filter(Boolean);
/** Runs PYTHON as the app's user on the server (its database, as an operator would). */
const python = (code: string) => server.sh(`sudo -u hbnb python3 -c '${code.replace(/'/g, `'"'"'`)}'`);

beforeAll(async () => {
  await server.create();
  // No API rate limit: the test's own requests come one after another from one address.
  server.configure({ apiRateLimit: "0" });
  server.plan = server.planOf();
  await server.deploy();
});
afterAll(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  await server.destroy();
});

test("while the data is unchanged, Nginx answers the page and places_search and no worker is asked", async () => {
  await page();
  await search({});
  const before = await accessLog();
  for (let i = 0; i < 10; i++) {
    expect((await page()).cache).toBe("HIT");
    expect((await search({})).cache).toBe("HIT");
  }
  // One request the cache does not hold: once its line is there, every line before it is too.
  expect((await server.http("/api/v1/states")).status).toBe(200);
  let after: string[] = [];
  await until(
    "the access log line of /api/v1/states",
    10,
    async () => (after = await accessLog()).length > before.length,
  );
  expect(after.slice(before.length).map((line) => line.split('"')[1])).toEqual(["GET /api/v1/states HTTP/1.0"]);
  // Kept gzipped for a client that takes gzip (this one does), plain for one that does not.
  expect((await server.http("/")).headers.get("content-encoding")).toBe("gzip");
  const plain = await server.sh(
    "curl -s -D - -o /dev/null http://127.0.0.1/ | tr -d '\\r' | grep -i '^x-cache-status\\|^content-encoding'",
  );
  expect(plain.out).toBe("X-Cache-Status: MISS");
  expect(
    (await server.sh("curl -s -D - -o /dev/null http://127.0.0.1/ | tr -d '\\r' | grep -i '^x-cache-status'")).out,
  ).toBe("X-Cache-Status: HIT");
});

test("every write of the API is seen by the very next page and places_search request, under load", async () => {
  const states = JSON.parse((await server.http("/api/v1/states")).body) as Place[];
  const cities = JSON.parse((await server.http(`/api/v1/states/${states[0].id}/cities`)).body) as Place[];
  const users = await python(
    `import sqlite3; print(sqlite3.connect("${server.settings.app.dataDir}/hbnb.db").execute("SELECT id FROM users").fetchone()[0])`,
  );
  const amenities = JSON.parse((await server.http("/api/v1/amenities")).body) as Place[];
  const amenity = amenities[0];
  const { loads } = await underLoad(server, async () => {
    const all = (await search({})).names;
    // Create: the next search lists it.
    const id = await server.created(`/api/v1/cities/${cities[0].id}/places`, {
      user_id: users.out,
      name: "E2E Cache A",
    });
    expect((await search({})).names).toEqual([...all, "E2E Cache A"].sort());
    // Update: the next search has the new name.
    const put = await server.http(`/api/v1/places/${id}`, { ...json({ name: "E2E Cache B" }), method: "PUT" });
    expect(put.status).toBe(200);
    expect((await search({})).names).toEqual([...all, "E2E Cache B"].sort());
    // Link an amenity: the next search by that amenity lists the place; unlink: it does not.
    const linkedBefore = (await search({ amenities: [amenity.id] })).names;
    const link = await server.http(`/api/v1/places/${id}/amenities/${amenity.id}`, { method: "POST" });
    expect(link.status).toBe(201);
    expect((await search({ amenities: [amenity.id] })).names).toEqual([...linkedBefore, "E2E Cache B"].sort());
    const unlink = await server.http(`/api/v1/places/${id}/amenities/${amenity.id}`, { method: "DELETE" });
    expect(unlink.status).toBe(200);
    expect((await search({ amenities: [amenity.id] })).names).toEqual(linkedBefore);
    // Delete: the next search no longer lists it.
    expect((await server.http(`/api/v1/places/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await search({})).names).toEqual(all);
    // The page shows states, cities and amenities: a new state is on the very next page.
    expect((await page()).body).not.toContain("E2E Cache State");
    const state = await server.created("/api/v1/states", { name: "E2E Cache State" });
    expect((await page()).body).toContain("E2E Cache State");
    expect((await server.http(`/api/v1/states/${state}`, { method: "DELETE" })).status).toBe(200);
    expect((await page()).body).not.toContain("E2E Cache State");
  });
  expectNoFailure(loads);
});

/**
 * Changes the database behind the app's back with CHANGE (Python, as the app's user), then asks
 * the page on the server itself every 10 ms until SEEN(page) holds: the seconds it took.
 */
async function secondsUntilSeen(change: string, seen: string): Promise<number> {
  const probe = [
    "import sqlite3, time, urllib.request",
    `db = "${server.settings.app.dataDir}/hbnb.db"`,
    change,
    "start = time.monotonic()",
    "while time.monotonic() - start < 20:",
    '    page = urllib.request.urlopen("http://127.0.0.1/").read().decode()',
    `    if ${seen}: break`,
    "    time.sleep(0.01)",
    'print(f"{time.monotonic() - start:.3f}")',
  ].join("\n");
  const result = await python(probe);
  expect(result.code).toBe(0);
  return Number(result.out);
}

// Alone (alone.ts): the bound is measured on the server's clock, with no other file's boot or deploy beside it.
test("a change behind the app's back (a row changed directly, a restore) is seen within 1 s", () =>
  alone(async () => {
    // Cached first, so that only the watcher can make the change seen.
    await page();
    expect((await page()).cache).toBe("HIT");
    const backup = `${server.settings.app.dataDir}/backup.db`;
    expect(
      (
        await python(
          `import sqlite3; sqlite3.connect("${server.settings.app.dataDir}/hbnb.db").backup(sqlite3.connect("${backup}"))`,
        )
      ).code,
    ).toBe(0);
    const direct = await secondsUntilSeen(
      `with sqlite3.connect(db) as c: c.execute("UPDATE states SET name = 'E2E Behind' WHERE id = (SELECT id FROM states ORDER BY name LIMIT 1)")`,
      `"E2E Behind" in page`,
    );
    // The stated bound: the watcher polls every 0.25 s (hbnb/generation_link.py, README).
    expect(direct).toBeLessThan(1);
    // A restore of the backup (SQLite's backup API, as `sqlite3 hbnb.db ".restore backup.db"`).
    const restored = await secondsUntilSeen(
      `sqlite3.connect("${backup}").backup(sqlite3.connect(db))`,
      `"E2E Behind" not in page`,
    );
    expect(restored).toBeLessThan(1);
  }));

test("a release switch and a rollback never serve the old release's page, under load", async () => {
  const first = await server.serving();
  const app = path.join(work, "next", "app");
  fs.cpSync(APP_DIR, app, { recursive: true });
  fs.appendFileSync(path.join(app, "hbnb", "wsgi.py"), "\n# the next release\n");
  const next: Bundle = buildBundle(path.join(work, "next", "build"), app);
  for (let i = 0; i < 2; i++) await page();
  expect((await page()).cache).toBe("HIT");
  const releaseOf = (body: string) => /\?v=(r-[0-9a-f]{12})/.exec(body)?.[1];

  const switched = await underLoad(server, () => server.deploy(buildPlan(server.settings, next, loadServerFiles())));
  expectNoFailure(switched.loads);
  for (let i = 0; i < 5; i++) expect(releaseOf((await page()).body)).toBe(next.release);

  const rolledBack = await underLoad(server, () => server.sh("sudo hbnb-rollback 2>&1"));
  expect(rolledBack.result.code).toBe(0);
  expectNoFailure(rolledBack.loads);
  for (let i = 0; i < 5; i++) expect(releaseOf((await page()).body)).toBe(first);
});

test("with the app stopped (no generation link), the page is not served from the cache", async () => {
  expect((await page()).cache).toBe("HIT");
  expect((await server.sh("sudo systemctl stop hbnb")).code).toBe(0);
  try {
    const stopped = await server.http("/");
    // Nginx could not read the generation: the request went to the app, neither answered from
    // the cache nor kept in it (the app's socket, systemd's, starts the app again for it).
    expect([stopped.status, cache(stopped)]).toEqual([200, "BYPASS"]);
  } finally {
    expect((await server.sh("sudo systemctl start hbnb")).code).toBe(0);
  }
  await page();
  expect((await page()).cache).toBe("HIT");
});
