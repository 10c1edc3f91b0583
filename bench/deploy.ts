import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APP_DIR, buildBundle } from "../core/bundle";
import { Plan } from "../core/plan";
import { StepReport } from "../local/runner";
import { describe, machine, progress, seconds } from "./machine";
import { loadRoute, LoadShape } from "./measure";
import { Route, routes } from "./routes";
import { bareAptSeconds, BenchServer, NAMES } from "./servers";
import { LoadResult } from "./wrk";

/**
 * `npm run bench:deploy`: how long deploys take on this machine, and whether a request fails
 * while they run. On one local server, each time fresh: a bare apt-get of the stack's packages
 * (the yardstick, before and after the deploys), the cold deploy, a re-run with nothing changed
 * (no step runs), a forced re-run (every step runs and finds nothing to do), and the deploy of
 * a changed app (a new release, a graceful reload). Every deploy but the cold one runs under a
 * bounded wrk load against the page (dynamic) and a stylesheet (static); failed requests are
 * counted. Writes docs/bench-deploy-<date>.md. Not a test: it asserts nothing.
 */
const TARGET = { coldVsApt: 1.5, rerun: 5, appChange: 15 };
/**
 * A steady, moderate load, so that the deploy is measured under traffic without being starved
 * by it: 2 connections to the page, each pausing 20 ms between requests (~70 req/s, a third of
 * what 3 workers serve), and 2 to a stylesheet pausing 10 ms (~180 req/s). wrk flat out would
 * take both cores from the deploy itself.
 */
const SHAPES: Record<Route["kind"], LoadShape> = {
  dynamic: { seconds: 2, connections: 2, threads: 1, pauseMs: 20 },
  static: { seconds: 2, connections: 2, threads: 1, pauseMs: 10 },
};

interface Deploy {
  name: string;
  seconds: number;
  reports: StepReport[];
  load?: { requests: number; failed: number };
}

/** Runs `deploy` while loading the routes in back-to-back 2 s wrk runs; sums what they saw. */
async function underLoad(
  server: BenchServer,
  loaded: Route[],
  deploy: () => Promise<StepReport[]>,
): Promise<{ reports: StepReport[]; seconds: number; requests: number; failed: number }> {
  let done = false;
  const results: LoadResult[] = [];
  const loops = loaded.map(async (route) => {
    while (!done) results.push(await loadRoute(server.url(""), route, SHAPES[route.kind]));
  });
  // The load runs from a moment before the deploy starts until it has ended.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const started = Date.now();
  let reports: StepReport[];
  let took: number;
  try {
    reports = await deploy();
    took = seconds(started);
  } finally {
    done = true;
    await Promise.allSettled(loops);
  }
  // A load run that failed as a whole (wrk missing, no summary) fails the benchmark.
  await Promise.all(loops);
  return {
    reports,
    seconds: took,
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
  };
}

/** A copy of the app with one line changed: a new release, as a developer's commit makes. */
function changedApp(work: string): ReturnType<typeof buildBundle> {
  fs.cpSync(APP_DIR, path.join(work, "app"), { recursive: true });
  fs.appendFileSync(path.join(work, "app", "hbnb", "wsgi.py"), `\n# changed by bench/deploy.ts ${Date.now()}\n`);
  return buildBundle(path.join(work, "build"), path.join(work, "app"));
}

async function main(): Promise<void> {
  const started = Date.now();
  const before = machine();
  progress(`machine: ${describe(before)}; load average ${before.load.toFixed(2)}`);
  const server = new BenchServer(NAMES.deploy);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-bench-deploy-"));
  const cleanup = async (): Promise<void> => {
    fs.rmSync(work, { recursive: true, force: true });
    if (!process.env.BENCH_KEEP) await server.destroy();
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  }
  const lines: string[] = [];
  const say = (line = ""): void => {
    console.log(line);
    lines.push(line);
  };
  try {
    const bundle = buildBundle();
    const loaded = routes(bundle.release).filter((r) => r.path === "/" || r.path.includes(".css"));

    // The yardstick runs on a fresh server before the deploys and again after them: the mean
    // of the two evens out a machine that got busier or quieter in between.
    const yardstick = async (): Promise<number> => {
      progress(`booting ${server.name} afresh: bare apt-get update + install of the stack's packages`);
      await server.boot();
      const took = await bareAptSeconds(server);
      progress(`bare apt-get: ${took.toFixed(1)} s`);
      return took;
    };
    const apts = [await yardstick()];
    progress(`booting ${server.name} afresh for the cold deploy`);
    await server.boot();

    const deploys: Deploy[] = [];
    const plan: Plan = server.plan(bundle);
    progress("cold deploy");
    const coldStarted = Date.now();
    const cold = await server.deploy(plan);
    deploys.push({ name: "cold deploy (fresh server)", seconds: seconds(coldStarted), reports: cold });

    const runs: [string, () => Promise<StepReport[]>][] = [
      // As `npm start` run again: the app is hashed and the plan built anew, then no step runs.
      ["re-run, nothing changed", () => server.deploy(server.plan(buildBundle()))],
      ["re-run, every step forced", () => server.deploy(server.plan(buildBundle()), { force: true })],
      ["app changed (new release)", () => server.deploy(server.plan(changedApp(work)))],
    ];
    for (const [name, run] of runs) {
      progress(`${name}, under load`);
      const result = await underLoad(server, loaded, run);
      deploys.push({ name, seconds: result.seconds, reports: result.reports, load: result });
    }

    apts.push(await yardstick());
    const apt = (apts[0] + apts[1]) / 2;
    const after = machine();
    const date = new Date().toISOString().slice(0, 10);
    say(`# Deploy benchmark of hbnb-stack, ${date}`);
    say();
    say(`Machine: ${describe(after)}.`);
    say(`Load average (1 min) at the start ${before.load.toFixed(2)}, at the end ${after.load.toFixed(2)}.`);
    const shape = (r: Route): string =>
      `${r.path} (wrk -c${SHAPES[r.kind].connections}, ${SHAPES[r.kind].pauseMs} ms between requests)`;
    say(
      `Load during the re-runs: ${loaded.map(shape).join(" and ")}, in back-to-back ` +
        `${SHAPES.static.seconds} s runs from 1 s before the deploy until it ended.`,
    );
    say();
    say("| deploy | time | steps that ran (seconds) | requests during | failed |");
    say("|---|--:|---|--:|--:|");
    say(
      `| bare apt-get update + install of the same packages, fresh server (before, after) | ${apt.toFixed(1)} s ` +
        `| (${apts.map((a) => a.toFixed(1)).join(" s, ")} s) | | |`,
    );
    for (const d of deploys) {
      const ran = d.reports.filter((r) => r.ran);
      const steps = ran.length ? ran.map((r) => `${r.step} ${r.seconds.toFixed(1)}`).join(", ") : "none";
      const load = d.load ? `${d.load.requests.toLocaleString("en-US")} | ${d.load.failed}` : "n/a | n/a";
      say(`| ${d.name} | ${d.seconds.toFixed(1)} s | ${steps} | ${load} |`);
    }
    const [coldRun, rerun, , appChange] = deploys;
    const check = (ok: boolean): string => (ok ? "met" : "NOT met");
    say();
    say("Targets:");
    say(
      `- cold deploy ≤ ${TARGET.coldVsApt}× the bare apt-get: ${(coldRun.seconds / apt).toFixed(2)}×, ` +
        `${check(coldRun.seconds <= TARGET.coldVsApt * apt)}`,
    );
    say(
      `- no-change re-run ≤ ${TARGET.rerun} s: ${rerun.seconds.toFixed(1)} s, ${check(rerun.seconds <= TARGET.rerun)}`,
    );
    say(
      `- app-change redeploy ≤ ${TARGET.appChange} s: ${appChange.seconds.toFixed(1)} s, ` +
        `${check(appChange.seconds <= TARGET.appChange)}`,
    );
    const failed = deploys.reduce((sum, d) => sum + (d.load?.failed ?? 0), 0);
    say(`- no failed request during a deploy: ${failed} failed, ${check(failed === 0)}`);
    say(`Whole run: ${seconds(started).toFixed(0)} s.`);

    const file = path.join(__dirname, "..", "docs", `bench-deploy-${date}.md`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, lines.join("\n") + "\n");
    progress(`written to ${path.relative(process.cwd(), file)}`);
  } finally {
    progress("removing the server");
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
