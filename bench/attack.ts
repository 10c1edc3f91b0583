import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { holdSlowBodies } from "./slow-bodies";
import { down, netnsOf, up } from "../local/hosts";
import { describe, machine, progress } from "./machine";
import { BenchServer, liftRateLimit } from "./servers";
import { LoadResult, startLoad } from "./wrk";

/**
 * `npm run bench:attack`: how the other visitors of the site fare while one address attacks it
 * (issue 12's goals). A server with the stack's defaults, and a second local host whose network
 * namespace is the attacker's address; the visitor is this machine, a third address. In each
 * scenario the visitor loads the page, the API's status and a stylesheet at a steady, light rate
 * (wrk with pauses; the status within the API's budget of 10 a second) and the figures are its
 * p50, p99 and failed requests. Not a test: it asserts nothing. Prints a table and writes it to
 * docs/bench-attack-<date>.md.
 *
 * Scenarios, in this order:
 * 1. quiet: no attacker (the yardstick);
 * 2. heavy searches: the attacker keeps 10 of the costliest searches it can craft in flight (a
 *    1 MB body of three lists of 330 ids of 1,000 characters: too long to be cached), as fast as
 *    it can, under the stack's request budget of its address;
 * 3. slow bodies: the attacker holds 2,000 connections that send a POST body a byte every 4 s,
 *    for 30 s (bench/slow_bodies.py);
 * 4. heavy searches, no budget: as 2, with the API's rate limit lifted on this server, so that
 *    10 such searches really are in flight at every moment (the worst case of a limit set higher,
 *    or of 10 addresses).
 *
 * BENCH_SECONDS (20 per scenario), BENCH_KEEP=1 (leave the servers up).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const NAMES = { server: "hbnb-bench-attack", attacker: "hbnb-bench-attacker" };
const VISITS = [
  { name: "page /", route: "/", connections: 2, pauseMs: 20 },
  { name: "GET /api/v1/status", route: "/api/v1/status", connections: 1, pauseMs: 250 },
  { name: "CSS (static)", route: "/static/styles/common.css", connections: 2, pauseMs: 20 },
];

interface Row {
  scenario: string;
  visits: { name: string; result: LoadResult }[];
  attacker?: LoadResult;
}

/** The visitor's loads, all at once, for SECONDS. */
async function visit(server: BenchServer): Promise<{ name: string; result: LoadResult }[]> {
  const runs = VISITS.map((v) => ({
    name: v.name,
    run: startLoad({
      url: server.url(v.route),
      seconds: SECONDS,
      connections: v.connections,
      threads: 1,
      pauseMs: v.pauseMs,
      headers: { "Accept-Encoding": "gzip" },
    }),
  }));
  return Promise.all(runs.map(async (r) => ({ name: r.name, result: await r.run.result })));
}

/** Heavy searches from the attacker: 10 connections flat out, for a little longer than the visit. */
async function heavySearches(server: BenchServer, bodyFile: string): Promise<LoadResult> {
  const run = startLoad({
    url: server.url("/api/v1/places_search"),
    seconds: SECONDS + 4,
    connections: 10,
    threads: 2,
    method: "POST",
    bodyFile,
    netns: netnsOf(NAMES.attacker),
  });
  await run.started;
  return run.result;
}

const ms = (n: number): string => n.toFixed(1);

/** Failed requests, and of which kinds (wrk's: connect, read, write, timeout, non-2xx status). */
function failed(result: LoadResult): string {
  const kinds = Object.entries(result.errors).filter(([, n]) => n > 0);
  return kinds.length ? `${result.failed} (${kinds.map(([kind, n]) => `${kind} ${n}`).join(", ")})` : "0";
}

function table(rows: Row[]): string {
  const head = ["| scenario | visitor's request | req/s | p50 ms | p99 ms | failed |", "|---|---|--:|--:|--:|--:|"];
  const lines = rows.flatMap((row) =>
    row.visits.map(
      (v) =>
        `| ${row.scenario} | ${v.name} | ${v.result.rps.toFixed(0)} | ${ms(v.result.p50)} | ${ms(v.result.p99)} | ${failed(v.result)} |`,
    ),
  );
  return [...head, ...lines].join("\n");
}

function attackerLine(row: Row): string {
  const a = row.attacker;
  if (!a) return "";
  const answered = a.requests - a.errors.status;
  return `- ${row.scenario}: the attacker sent ${a.requests} searches (${a.rps.toFixed(0)}/s), ${answered} answered 200, ${a.errors.status} refused (429), p50 ${ms(a.p50)} ms.`;
}

async function main(): Promise<void> {
  const started = new Date();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-bench-attack-"));
  const bodyFile = path.join(work, "search.json");
  const ids = (prefix: string) => Array.from({ length: 330 }, (_, i) => `${prefix}${i}-${"x".repeat(1_000)}`);
  fs.writeFileSync(bodyFile, JSON.stringify({ states: ids("s"), cities: ids("c"), amenities: ids("a") }));
  const server = new BenchServer(NAMES.server);
  const rows: Row[] = [];
  try {
    progress(`booting ${NAMES.server} and ${NAMES.attacker}`);
    await down(NAMES.attacker);
    await Promise.all([server.boot(), up(NAMES.attacker)]);
    const plan = server.plan();
    progress("deploying the stack");
    await server.deploy(plan);

    progress("1/4 quiet");
    rows.push({ scenario: "quiet", visits: await visit(server) });

    progress("2/4 heavy searches, the stack's budget");
    const limited = heavySearches(server, bodyFile);
    rows.push({ scenario: "10 heavy searches", visits: await visit(server), attacker: await limited });

    progress("3/4 2,000 slow bodies");
    const slow = holdSlowBodies({
      netns: netnsOf(NAMES.attacker),
      host: server.host.address,
      count: 2000,
      seconds: SECONDS + 10,
    });
    await slow.opened;
    const during = await visit(server);
    await slow.stop();
    rows.push({ scenario: "2,000 slow bodies", visits: during });
    progress(`slow_bodies.py: ${slow.lines.join(" | ")}`);

    progress("4/4 heavy searches, no budget");
    const note = await liftRateLimit(server, plan);
    const unlimited = heavySearches(server, bodyFile);
    rows.push({ scenario: "10 heavy searches, no budget", visits: await visit(server), attacker: await unlimited });

    const report = [
      `# Under attack: the visitor's figures, ${started.toISOString().slice(0, 16).replace("T", " ")} UTC`,
      "",
      `Machine: ${describe(machine())}; load average ${machine().load.toFixed(1)} at the end.`,
      `Each scenario: ${SECONDS} s of the visitor's load (${VISITS.map((v) => `${v.name}: ${v.connections} connection(s), ${v.pauseMs} ms pause`).join("; ")}).`,
      "",
      table(rows),
      "",
      ...rows.map(attackerLine).filter(Boolean),
      note ? `- No budget: ${note}` : "",
      "",
    ].join("\n");
    console.log(report);
    const file = path.join(__dirname, "..", "docs", `bench-attack-${started.toISOString().slice(0, 10)}.md`);
    fs.writeFileSync(file, report);
    progress(`written to ${path.relative(process.cwd(), file)}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    if (process.env.BENCH_KEEP !== "1") await Promise.all([server.destroy(), down(NAMES.attacker)]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
