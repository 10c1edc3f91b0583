import * as fs from "fs";
import * as path from "path";
import { buildBundle } from "../core/bundle";
import { LoadResult } from "./wrk";
import { describe, machine, Machine, progress, seconds } from "./machine";
import { Figures, loadRoute, LoadShape, summarize } from "./measure";
import { benchPage } from "./page";
import { BROWSER_HEADERS, Route, routes } from "./routes";
import { bareAptSeconds, BenchServer, liftRateLimit, liftSearchLimit, NAMES, setUpClassic } from "./servers";
import { measureDataGrowth } from "./data-growth";
import { benchBalancer } from "./balancer";
import { benchHttps } from "./https";

/**
 * `npm run bench`: the classic tutorial setup against this stack, on this machine, in one run.
 * Boots two local servers side by side, sets up the classic one by hand's recipe
 * (bench/classic.sh) and deploys the stack on the other, then loads both from outside with
 * wrk, route by route, in alternating rounds. Prints per route req/s, p50, p99 and errors for
 * both and their ratio, the cold deploy against a bare apt-get of the same packages, and the
 * machine; writes it all to docs/bench-<date>.md. Not a test: it asserts nothing.
 *
 * BENCH_ROUNDS (3), BENCH_SECONDS (5 per round), BENCH_CONNECTIONS (64), BENCH_KEEP=1 (leave
 * the servers up).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SHAPE: LoadShape = {
  seconds: Number(process.env.BENCH_SECONDS ?? 5),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 64),
  threads: 2,
};
/** The issue's targets: static ≥ 10× with a lower p99; dynamic ≥ 1.2× with p99 no worse. */
const TARGET = { static: 10, dynamic: 1.2, coldDeploy: 1.5 };

interface Row {
  route: Route;
  classic: Figures;
  stack: Figures;
}

const num = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function verdict(row: Row): string {
  const ratio = row.stack.rps / row.classic.rps;
  const errors = row.stack.errors > 0 ? ", stack had errors" : "";
  if (row.route.kind === "static") {
    const ok = ratio >= TARGET.static && row.stack.p99 < row.classic.p99 && !errors;
    return `${ok ? "met" : "NOT met"} (≥ ${TARGET.static}×, p99 lower${errors})`;
  }
  const ok = ratio >= TARGET.dynamic && row.stack.p99 <= row.classic.p99 && !errors;
  return `${ok ? "met" : "NOT met"} (≥ ${TARGET.dynamic}×, p99 no worse${errors})`;
}

function table(rows: Row[]): string {
  const head = [
    "| route | classic req/s | p50 ms | p99 ms | errors | stack req/s | p50 ms | p99 ms | errors | ratio | target |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
  ];
  const cells = (f: Figures): string[] => [num(f.rps), num(f.p50, 1), num(f.p99, 1), num(f.errors)];
  const lines = rows.map((row) =>
    [
      row.route.name,
      ...cells(row.classic),
      ...cells(row.stack),
      `${num(row.stack.rps / row.classic.rps, 2)}×`,
      verdict(row),
    ].join(" | "),
  );
  return [...head, ...lines.map((l) => `| ${l} |`)].join("\n");
}

async function versions(server: BenchServer): Promise<string> {
  const out = await server.sh("dpkg-query -W -f='${Package} ${Version}\\n' nginx gunicorn python3-flask python3");
  return out.split("\n").join(", ");
}

/** What the stack's Nginx says of one more request of each dynamic route: HIT, MISS, or not cached. */
async function cacheStatus(server: BenchServer, list: Route[]): Promise<string> {
  const said: string[] = [];
  for (const route of list.filter((r) => r.kind === "dynamic")) {
    const response = await fetch(server.url(route.path), {
      method: route.method,
      body: route.body,
      headers: { ...BROWSER_HEADERS, ...(route.body ? { "Content-Type": "application/json" } : {}) },
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    said.push(`${route.name} ${response.headers.get("x-cache-status") ?? "not cached"}`);
  }
  return said.join(", ");
}

async function main(): Promise<void> {
  const started = Date.now();
  const before: Machine = machine();
  progress(`machine: ${describe(before)}; load average ${before.load.toFixed(2)}`);
  const bundle = buildBundle();
  const classic = new BenchServer(NAMES.classic);
  const stack = new BenchServer(NAMES.stack);
  const lines: string[] = [];
  const say = (line = ""): void => {
    console.log(line);
    lines.push(line);
  };
  const cleanup = async (): Promise<void> => {
    if (process.env.BENCH_KEEP) return;
    progress("removing the servers");
    await Promise.allSettled([classic.destroy(), stack.destroy()]);
  };
  // Interrupted (Ctrl-C): the servers go too.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  }
  try {
    progress(`booting ${classic.name}`);
    await classic.boot();
    progress(`${classic.name}: bare apt-get install of the stack's packages (the cold deploy's yardstick)`);
    const apt = await bareAptSeconds(classic);
    progress(`${classic.name}: ${apt.toFixed(1)} s; setting up the classic tutorial setup (bench/classic.sh)`);
    await setUpClassic(classic, bundle);

    progress(`booting ${stack.name}`);
    await stack.boot();
    progress(`${stack.name}: cold deploy of the stack (every step of the plan)`);
    const plan = stack.plan(bundle);
    const deployStarted = Date.now();
    const steps = await stack.deploy(plan);
    const cold = seconds(deployStarted);
    progress(`${stack.name}: deployed in ${cold.toFixed(1)} s`);
    const lifted = await liftRateLimit(stack, plan);
    const searchesLifted = await liftSearchLimit(stack, plan);

    const list = routes(bundle.release);
    const rows: Row[] = [];
    for (const route of list) {
      const results: Record<"classic" | "stack", LoadResult[]> = { classic: [], stack: [] };
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate which server goes first: a slow spell of the machine hits both alike.
        const order = round % 2 === 0 ? (["classic", "stack"] as const) : (["stack", "classic"] as const);
        for (const which of order) {
          const server = which === "classic" ? classic : stack;
          progress(`${route.name}: round ${round + 1}/${ROUNDS} on ${which} (${SHAPE.seconds} s)`);
          results[which].push(await loadRoute(server.url(""), route, SHAPE));
        }
      }
      rows.push({ route, classic: summarize(results.classic), stack: summarize(results.stack) });
    }
    const cached = await cacheStatus(stack, list);

    const after = machine();
    const date = new Date().toISOString().slice(0, 10);
    say(`# Benchmark: the classic tutorial setup against hbnb-stack, ${date}`);
    say();
    say(`Machine: ${describe(after)}.`);
    say(`Load average (1 min) at the start ${before.load.toFixed(2)}, at the end ${after.load.toFixed(2)}.`);
    say(`Classic server: ${await versions(classic)}.`);
    say(`Stack server: ${await versions(stack)}; release ${bundle.release}, ${stack.settings.app.workers} workers.`);
    say(
      `Load: wrk -t${SHAPE.threads} -c${SHAPE.connections}, ${SHAPE.seconds} s a round, ${ROUNDS} rounds per route ` +
        "and server (alternating), median round; Accept-Encoding: gzip, deflate, br; from this machine over " +
        "each server's veth.",
    );
    if (lifted) say(`Note: ${lifted}`);
    if (searchesLifted) say(`Note: ${searchesLifted}`);
    say(
      `Note: the stack's Nginx caches some of the app's answers (README, Performance); each route's X-Cache-Status ` +
        `on the stack after its load: ${cached}.`,
    );
    say();
    say(table(rows));
    say();
    await measureDataGrowth({ classic, stack }, SHAPE, ROUNDS, say);
    // These two deploy the stack's server again: behind HAProxy, then with a domain and HTTPS.
    const balancer = await benchBalancer(stack, bundle, SHAPE, ROUNDS);
    const https = await benchHttps(stack, bundle, SHAPE);
    say();
    const ratio = cold / apt;
    say(
      `Cold deploy of the stack: ${cold.toFixed(1)} s; a bare apt-get update + install of the same packages on a ` +
        `fresh server: ${apt.toFixed(1)} s; ratio ${ratio.toFixed(2)}× ` +
        `(target ≤ ${TARGET.coldDeploy}×: ${ratio <= TARGET.coldDeploy ? "met" : "NOT met"}).`,
    );
    await benchPage({
      classic,
      stack,
      accessLog: plan.layout.services[0].accessLog,
      shape: SHAPE,
      rounds: ROUNDS,
      say,
    });
    say(`The cold deploy step by step: ${steps.map((r) => `${r.step} ${r.seconds.toFixed(1)} s`).join(", ")}.`);
    balancer(say);
    say();
    say(`${https}\n`);
    say(`Whole run: ${seconds(started).toFixed(0)} s.`);

    const file = path.join(__dirname, "..", "docs", `bench-${date}.md`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, lines.join("\n") + "\n");
    progress(`written to ${path.relative(process.cwd(), file)}`);
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
