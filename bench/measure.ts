import { load, LoadResult } from "./wrk";
import { BROWSER_HEADERS, Route } from "./routes";

/**
 * One route's figures on one server, over several rounds. The machine's 2 cores are shared by
 * the load tool, Nginx, Gunicorn and whatever else runs: one run of a route varies ~15%, and
 * more when the machine is busy. So each route is loaded in short rounds that alternate
 * between the two servers (classic first, then stack first, ...), and the median round counts.
 */
export interface Figures {
  rps: number;
  /** Milliseconds, the median over the rounds. */
  p50: number;
  p99: number;
  /** Failed requests over all rounds (socket errors and answers that were not 2xx/3xx). */
  errors: number;
  requests: number;
}

export interface LoadShape {
  seconds: number;
  connections: number;
  threads: number;
  /** Milliseconds each connection waits between requests (none: flat out). */
  pauseMs?: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function summarize(results: LoadResult[]): Figures {
  return {
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    errors: results.reduce((sum, r) => sum + r.failed, 0),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
  };
}

export function loadRoute(baseUrl: string, route: Route, shape: LoadShape): Promise<LoadResult> {
  return load({
    url: `${baseUrl}${route.path}`,
    seconds: shape.seconds,
    connections: shape.connections,
    threads: shape.threads,
    pauseMs: shape.pauseMs,
    method: route.method,
    body: route.body,
    headers: BROWSER_HEADERS,
  });
}
