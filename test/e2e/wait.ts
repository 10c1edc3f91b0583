import { LoadResult, startLoad } from "../../bench/wrk";
import { Plan } from "../../core/plan";
import { StepFailed, StepReport } from "../../local/runner";
import { alone } from "./alone";
import { TestServer } from "./server";

/**
 * Waiting in the e2e tests for events, never for time: a check polled until it holds, and a load
 * that spans an action from before it begins until it has ended.
 */

/** Polls CHECK every 200 ms until it is true; fails after SECONDS (a generous bound, not a target). */
export async function until(what: string, seconds: number, check: () => boolean | Promise<boolean>): Promise<void> {
  for (const end = Date.now() + seconds * 1000; Date.now() < end;) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not within ${seconds} s`);
}

/** Where a load goes: plain HTTP to the server's address unless BASE says otherwise (https://...), with HEADERS. */
interface LoadTarget {
  base?: string;
  headers?: Record<string, string>;
}

/**
 * Runs ACTION while PATHS of SERVER (default: the bundled app's page, a static file, and the
 * number page) are under load, from before it begins until it has ended (wrk is stopped then; 5
 * minutes at most). A path ending in `*` takes a number of its own in each request instead.
 * The machine is this test's alone meanwhile: no other file boots or deploys (alone.ts).
 */
export function underLoad<T>(
  server: TestServer,
  action: () => Promise<T>,
  paths = ["/", "/static/styles/common.css", "/number_odd_or_even/*"],
  target: LoadTarget = {},
): Promise<{ result: T; loads: LoadResult[] }> {
  return alone(() => loaded(server, action, paths, target));
}

async function loaded<T>(
  server: TestServer,
  action: () => Promise<T>,
  paths: string[],
  { base = `http://${server.host.address}`, headers }: LoadTarget,
): Promise<{ result: T; loads: LoadResult[] }> {
  // A failed request is one Nginx answers with an error, or that gets no answer at all. A slow
  // one is not: on a machine busy with other work, a request that waited for a worker through a
  // reload took over wrk's default 5 s once, and was answered. wrk waits longer than Nginx's own
  // 60 s upstream timeouts, so Nginx's verdict (a 502 or 504, counted as status) is the one.
  const shape = { seconds: 300, connections: 8, threads: 1, timeoutSeconds: 70, headers };
  // The bundled app's page comes from Nginx's cache while the data is unchanged; the number
  // page, a number no request asked before each time, is a cache miss every time: that load
  // goes through Gunicorn's workers (through a reload, a restart, a switch).
  const runs = paths.map((route) =>
    route.endsWith("*")
      ? startLoad({ url: `${base}${route.slice(0, -1)}`, varyPath: route.slice(0, -1), ...shape })
      : startLoad({ url: `${base}${route}`, ...shape }),
  );
  await Promise.all(runs.map((run) => run.started));
  const outcome = await action().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  runs.forEach((run) => run.stop());
  const loads = await Promise.all(runs.map((run) => run.result));
  if ("error" in outcome) throw outcome.error;
  return { result: outcome.value, loads };
}

/** The step that stopped DEPLOY, which was expected to fail. */
export async function failure(deploy: Promise<unknown>): Promise<StepFailed> {
  try {
    await deploy;
  } catch (error) {
    if (error instanceof StepFailed) return error;
    throw error;
  }
  throw new Error("the deploy succeeded; it was expected to fail");
}

/** Every request of the loads answered, and there were some. */
export function expectNoFailure(loads: LoadResult[]): void {
  for (const run of loads) {
    expect([run.url, run.errors]).toEqual([run.url, { connect: 0, read: 0, write: 0, timeout: 0, status: 0 }]);
    expect(run.requests).toBeGreaterThan(0);
  }
}

/** The plan's first steps only, wait and packages: what a first boot meets. */
export const firstSteps = (plan: Plan): Plan => ({
  ...plan,
  steps: plan.steps.filter((step) => step.name === "wait" || step.name === "packages"),
});

/**
 * Deploys PLAN on SERVER while an apt lock is held, and returns once the packages step has said
 * that it waits for it (that line), with the deploy still going; a deploy that ended first (a
 * step that did not wait: apt-get failed at once) fails here with its own error.
 */
export async function deployWaitingForApt(
  server: TestServer,
  plan: Plan,
): Promise<{ waiting: string; deploying: Promise<StepReport[]> }> {
  let settled = false;
  const deploying = server.deploy(plan).finally(() => (settled = true));
  deploying.catch(() => undefined); // awaited by the caller; without this a failure is reported twice
  const waiting = (): string | undefined => server.log.find((line) => line.includes("packages: waiting"));
  await until("the packages step says it waits", 300, () => settled || waiting() !== undefined);
  if (settled) await deploying;
  expect(settled).toBe(false);
  return { waiting: waiting()!, deploying };
}
