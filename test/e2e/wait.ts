import { LoadResult, startLoad } from "../../bench/wrk";
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

/**
 * Runs ACTION while the page and a static file of SERVER are under load, from before it begins
 * until it has ended (wrk is stopped then; 5 minutes at most).
 */
export async function underLoad<T>(
  server: TestServer,
  action: () => Promise<T>,
): Promise<{ result: T; loads: LoadResult[] }> {
  const base = `http://${server.host.address}`;
  const runs = [
    // The page: Nginx may send it from its cache, but asks Gunicorn for the data's generation
    // first, so every request of it goes through a worker.
    startLoad({ url: `${base}/`, seconds: 300, connections: 8, threads: 1 }),
    startLoad({ url: `${base}/static/styles/common.css`, seconds: 300, connections: 8, threads: 1 }),
  ];
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

/** Every request of the loads answered, and there were some. */
export function expectNoFailure(loads: LoadResult[]): void {
  for (const run of loads) {
    expect([run.url, run.errors]).toEqual([run.url, { connect: 0, read: 0, write: 0, timeout: 0, status: 0 }]);
    expect(run.requests).toBeGreaterThan(0);
  }
}
