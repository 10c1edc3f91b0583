import * as fs from "fs";
import * as path from "path";
import { buildBundle, Bundle } from "../core/bundle";
import { packages, Plan } from "../core/plan";
import { LocalServer } from "../local/server";
import { upload } from "../local/ssh";

/**
 * The servers of the benchmarks: disposable local servers (local/host.sh) under names of their
 * own, so that they never collide with the servers of tests that run at the same time. With
 * HBNB_BENCH_PREFIX set, it takes the place of their leading "hbnb" (as HBNB_E2E_PREFIX does
 * for the e2e tests' servers), so that two benchmarks can run side by side.
 */
const BENCH_PREFIX = process.env.HBNB_BENCH_PREFIX ?? "hbnb";
export const NAMES = {
  classic: `${BENCH_PREFIX}-bench-classic`,
  stack: `${BENCH_PREFIX}-bench-stack`,
  deploy: `${BENCH_PREFIX}-bench-deploy`,
  balancer: `${BENCH_PREFIX}-bench-lb`,
  web2: `${BENCH_PREFIX}-bench-web2`,
};

/**
 * A local server of the benchmarks (local/server.ts): booted brand-new each time, its plan for
 * the bundle under test, its commands failing loudly, and nothing logged while it deploys.
 */
export class BenchServer extends LocalServer {
  protected override logLine(): void {}

  /** A brand-new server: any earlier one of that name (an interrupted run) is removed first. */
  boot(): Promise<void> {
    return this.create();
  }

  plan(bundle: Bundle = buildBundle()): Plan {
    return this.planOf(bundle);
  }

  /** Runs a command on the server; fails with its output unless it exits 0. */
  sh(command: string, stdin?: string): Promise<string> {
    return this.run(command, stdin);
  }
}

/** Sets up the classic tutorial setup (bench/classic.sh) with the same app as the stack's. */
export async function setUpClassic(server: BenchServer, bundle: Bundle): Promise<void> {
  const archive = `/tmp/classic-${bundle.release}.tar.gz`;
  await upload(server.target, bundle.archive, archive);
  const script = fs.readFileSync(path.join(__dirname, "classic.sh"), "utf8");
  await server.sh(`sudo -n env CLASSIC_ARCHIVE=${archive} CLASSIC_USER=${server.host.user} bash -s`, script);
}

/**
 * The yardstick of the cold deploy: a bare `apt-get update` and `apt-get install` of the
 * packages the plan installs, on a fresh server, in seconds. Timed from here over one SSH
 * command, as the deploy's steps are.
 */
export async function bareAptSeconds(server: BenchServer): Promise<number> {
  const apt = "apt-get -q -o DPkg::Lock::Timeout=300";
  const list = packages(server.settings).join(" ");
  const started = Date.now();
  await server.sh(
    `sudo -n env DEBIAN_FRONTEND=noninteractive sh -c '${apt} update >/dev/null && ` +
      `${apt} install -y --no-install-recommends ${list} >/dev/null'`,
  );
  return (Date.now() - started) / 1000;
}

/**
 * The stack limits each client's API requests (limit_req). All of a benchmark's load comes from
 * one address, so on the bench server only the budget is raised far above what the load can
 * reach: Nginx still runs the limiter on every request (its cost is in the figures), it just
 * never refuses one. The burst too: Nginx counts time in milliseconds of its event loop, and
 * 64 connections' requests arriving within the same millisecond are a burst at any rate.
 * Returns a note for the report, or undefined when the stack sets no limit.
 */
export async function liftRateLimit(server: BenchServer, plan: Plan): Promise<string | undefined> {
  const zones = plan.configFiles.filter((f) => f.kind === "nginx" && /\blimit_req_zone\b/.test(f.text));
  const users = plan.configFiles.filter((f) => f.kind === "nginx" && /\blimit_req\b.*\bburst=/.test(f.text));
  if (zones.length === 0) return undefined;
  const budget = [...zones, ...users].flatMap((f) => [...f.text.matchAll(/\b(rate|burst)=(\d+(r\/[sm])?)/g)]);
  for (const file of zones) await server.sh(`sudo -n sed -i -E 's#\\brate=[0-9]+r/[sm]#rate=1000000r/s#' ${file.path}`);
  for (const file of users) await server.sh(`sudo -n sed -i -E 's#\\bburst=[0-9]+#burst=1000000#' ${file.path}`);
  // The searches one address may have in progress at once (a worker stays free for others):
  // counted before Nginx looks in its cache, so cached answers count too.
  const searches = plan.configFiles.filter((f) => f.kind === "nginx" && /\blimit_conn \w+_search \d+/.test(f.text));
  for (const file of searches)
    await server.sh(`sudo -n sed -i -E 's#\\b(limit_conn \\w+_search) [0-9]+#\\1 65535#' ${file.path}`);
  await server.sh("sudo -n nginx -t -q && sudo -n systemctl reload nginx");
  const was = [...new Set(budget.map((m) => m[0]))].join(", ");
  return (
    `the stack's per-client rate limit of the API (${was}) was raised to rate=1000000r/s, burst=1000000, ` +
    `and its searches in progress per client to 65535 (the most Nginx takes), on ${server.name} for the load, which all comes ` +
    "from one address; the limiters themselves still run."
  );
}

/**
 * The stack lets one address have only a few searches in progress (a limit_conn of its search
 * zone, one fewer than Gunicorn's workers): the benchmark's 64 connections all come from one
 * address, so nearly all its searches would be 429s, answered by Nginx in microseconds. On the
 * bench server that limit is raised far above the load (the limiter still runs). Not for
 * bench/attack.ts, whose scenarios keep it. Returns a note for the report, or undefined.
 */
export async function liftSearchLimit(server: BenchServer, plan: Plan): Promise<string | undefined> {
  const files = plan.configFiles.filter((f) => f.kind === "nginx" && /\blimit_conn \S+_search \d+;/.test(f.text));
  if (files.length === 0) return undefined;
  const was = [...new Set(files.flatMap((f) => [...f.text.matchAll(/\blimit_conn \S+_search \d+/g)].map((m) => m[0])))];
  for (const file of files)
    await server.sh(`sudo -n sed -i -E 's#\\b(limit_conn [a-z0-9_]+_search) [0-9]+;#\\1 65535;#' ${file.path}`);
  await server.sh("sudo -n nginx -t -q && sudo -n systemctl reload nginx");
  return `the searches one address may have in progress (${was.join(", ")}) were raised to 65535 (Nginx's most) on ${server.name} for the same reason.`;
}
