import * as fs from "fs";
import * as path from "path";
import { progress } from "./machine";
import { Figures, loadRoute, LoadShape, summarize } from "./measure";
import { BROWSER_HEADERS, Route } from "./routes";
import { BenchServer } from "./servers";
import { LoadResult } from "./wrk";

/**
 * The page and places_search once the data has grown (issue 17, "As the data grows"): PLACES
 * places inserted straight into each server's database (bench/grow_places.py), then each route
 * loaded on both servers as bench/compare.ts loads the others, and one whole walk of
 * places_search a page at a time (X-Next-Page), timed from here: what a client that wants
 * every place pays, every page a first (uncached) request. Both servers run the same release,
 * so both paginate; the figures compare the setups at that size. BENCH_GROWTH_PLACES (10000).
 */
export const PLACES = Number(process.env.BENCH_GROWTH_PLACES ?? 10_000);

const num = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

interface Servers {
  classic: BenchServer;
  stack: BenchServer;
}

/** Where each server keeps its SQLite database, and the user that owns it. */
async function databases({ classic, stack }: Servers): Promise<Record<keyof Servers, { user: string; file: string }>> {
  // bench/classic.sh: the tutorial's project directory in the login user's home.
  const home = (await classic.sh(`getent passwd ${classic.host.user} | cut -d: -f6`)).trim();
  return {
    classic: { user: classic.host.user, file: `${home}/AirBnB_clone/hbnb.db` },
    stack: { user: stack.settings.app.user, file: `${stack.settings.app.dataDir}/hbnb.db` },
  };
}

/** A cursor deep in the walk: from the grown place numbered PLACES - 150 on (X-Next-Page's form,
 * hbnb/api/v1/paging.py). An empty id: that place itself comes first. */
function lateCursor(): string {
  const name = `Grown place ${String(Math.max(PLACES - 150, 0)).padStart(6, "0")}`;
  return Buffer.from(JSON.stringify([name, ""])).toString("base64url");
}

/** POSTs `body` to places_search: the answer's size and its next page's cursor. */
async function searchPage(server: BenchServer, body: unknown): Promise<{ bytes: number; next: string | null }> {
  const response = await fetch(server.url("/api/v1/places_search"), {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" },
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status !== 200) throw new Error(`${server.name}: places_search answered ${response.status}`);
  const bytes = (await response.arrayBuffer()).byteLength;
  return { bytes, next: response.headers.get("x-next-page") };
}

/** Every page of places_search {} in turn: pages, bytes, seconds. */
async function walk(server: BenchServer): Promise<{ pages: number; bytes: number; seconds: number }> {
  const started = Date.now();
  let pages = 0;
  let bytes = 0;
  let after: string | null = null;
  do {
    const page = await searchPage(server, { after });
    pages++;
    bytes += page.bytes;
    after = page.next;
  } while (after !== null);
  return { pages, bytes, seconds: (Date.now() - started) / 1000 };
}

/** Grows both servers' data to PLACES more places, measures, and says the figures (markdown). */
export async function measureDataGrowth(
  servers: Servers,
  shape: LoadShape,
  rounds: number,
  say: (line?: string) => void,
): Promise<void> {
  if (stackDatabase(servers.stack) !== "sqlite") {
    say(`Data growth: not measured (the stack's database is not SQLite on the server).`);
    return;
  }
  const script = fs.readFileSync(path.join(__dirname, "grow_places.py"), "utf8");
  const files = await databases(servers);
  const counts: string[] = [];
  for (const which of ["classic", "stack"] as const) {
    progress(`${servers[which].name}: inserting ${PLACES} places into ${files[which].file}`);
    const out = await servers[which].sh(
      `sudo -n -u ${files[which].user} python3 - ${files[which].file} ${PLACES}`,
      script,
    );
    counts.push(`${which} ${out.trim()}`);
  }
  const grown: Route[] = [
    { name: "page /", kind: "dynamic", method: "GET", path: "/" },
    {
      name: "places_search {} (first page)",
      kind: "dynamic",
      method: "POST",
      path: "/api/v1/places_search",
      body: "{}",
    },
    {
      name: `places_search, a page ${num(Math.max(PLACES - 150, 0))} places in`,
      kind: "dynamic",
      method: "POST",
      path: "/api/v1/places_search",
      body: JSON.stringify({ after: lateCursor() }),
    },
    {
      name: "places_search {limit: 1000}",
      kind: "dynamic",
      method: "POST",
      path: "/api/v1/places_search",
      body: JSON.stringify({ limit: 1000 }),
    },
  ];
  const rows: { route: Route; classic: Figures; stack: Figures; bytes: number; cache: string }[] = [];
  for (const route of grown) {
    const results: Record<keyof Servers, LoadResult[]> = { classic: [], stack: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (["classic", "stack"] as const) : (["stack", "classic"] as const);
      for (const which of order) {
        progress(`${PLACES} places, ${route.name}: round ${round + 1}/${rounds} on ${which} (${shape.seconds} s)`);
        results[which].push(await loadRoute(servers[which].url(""), route, shape));
      }
    }
    // fetch decodes what it is sent compressed: the bytes are the body's own.
    const once = await fetch(servers.stack.url(route.path), {
      method: route.method,
      body: route.body,
      headers: { ...BROWSER_HEADERS, ...(route.body ? { "Content-Type": "application/json" } : {}) },
      signal: AbortSignal.timeout(30_000),
    });
    const bytes = (await once.arrayBuffer()).byteLength;
    const cache = once.headers.get("x-cache-status") ?? "not cached";
    rows.push({ route, classic: summarize(results.classic), stack: summarize(results.stack), bytes, cache });
  }
  progress("walking every page of places_search {} on each server");
  // No body of the walk was asked before: on the stack each page is a first request (a MISS).
  const walks = { classic: await walk(servers.classic), stack: await walk(servers.stack) };

  say(`## As the data grows: ${num(PLACES)} places more`);
  say();
  say(`Inserted straight into each server's SQLite database (bench/grow_places.py): ${counts.join(", ")}.`);
  say("Same load as above; bytes: one answer's body, uncompressed; cache: the stack's Nginx on one more request.");
  say();
  say(
    "| route | classic req/s | p50 ms | p99 ms | errors | stack req/s | p50 ms | p99 ms | errors | ratio | bytes | cache |",
  );
  say("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
  for (const row of rows) {
    const cells = (f: Figures) => [num(f.rps), num(f.p50, 1), num(f.p99, 1), num(f.errors)];
    const ratio = `${num(row.stack.rps / row.classic.rps, 2)}×`;
    say(
      `| ${[row.route.name, ...cells(row.classic), ...cells(row.stack), ratio, num(row.bytes), row.cache].join(" | ")} |`,
    );
  }
  say();
  for (const which of ["classic", "stack"] as const) {
    const w = walks[which];
    say(
      `Every place by places_search {} a page at a time on ${which}: ${w.pages} pages, ${num(w.bytes / 1e6, 1)} MB ` +
        `(uncompressed), ${num(w.seconds, 2)} s one after the other.`,
    );
  }
}

function stackDatabase(stack: BenchServer): string {
  return stack.settings.app.databaseUrl ? "url" : stack.settings.app.database;
}
