import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";

/**
 * A bounded load run with wrk (Debian's), for the e2e tests (failed requests during a deploy)
 * and the benchmarks (req/s and latency). Always bounded in time; targets are loopback or the
 * project's own test servers only.
 */
export interface LoadOptions {
  url: string;
  seconds: number;
  connections?: number;
  threads?: number;
  method?: "GET" | "POST";
  body?: string;
  /** A file whose content is the body (for bodies larger than the environment takes). */
  bodyFile?: string;
  /** A network namespace of the run's own to load from (another client address). */
  netns?: string;
  /** Seconds after which wrk counts a request without an answer as a timeout (5 unless given). */
  timeoutSeconds?: number;
  headers?: Record<string, string>;
  /**
   * Milliseconds each connection waits before its next request: a lighter, steadier load
   * (about connections × 1000 / (pause + latency) req/s) than wrk's flat-out default.
   */
  pauseMs?: number;
  /** A path to which each request adds a number of its own (one thread: no number twice). */
  varyPath?: string;
}

export interface LoadResult {
  url: string;
  requests: number;
  seconds: number;
  rps: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  /** Socket errors (connect, read, write, timeout) and responses that were not 2xx/3xx. */
  errors: { connect: number; read: number; write: number; timeout: number; status: number };
  /** All of the above added up: requests that failed. */
  failed: number;
}

export interface LoadRun {
  /** Settles once wrk runs: its threads have started connecting. */
  started: Promise<void>;
  /** Ends the run early, as Ctrl-C does: wrk stops and reports what it did until then. */
  stop: () => void;
  result: Promise<LoadResult>;
}

const exec = promisify(execFile);

/** A load run for OPTIONS.seconds at most, which the caller may end earlier. */
export function startLoad(options: LoadOptions): LoadRun {
  const { url, seconds, connections = 16, threads = 2, timeoutSeconds = 5 } = options;
  const args = [
    "-t",
    String(threads),
    "-c",
    String(connections),
    "-d",
    `${seconds}s`,
    "--timeout",
    `${timeoutSeconds}s`,
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push("-H", `${name}: ${value}`);
  args.push("-s", path.join(__dirname, "wrk.lua"), url);
  const env = {
    ...process.env,
    WRK_METHOD: options.method ?? "GET",
    ...(options.body ? { WRK_BODY: options.body } : {}),
    ...(options.bodyFile ? { WRK_BODY_FILE: options.bodyFile } : {}),
    ...(options.pauseMs ? { WRK_PAUSE_MS: String(options.pauseMs) } : {}),
    ...(options.varyPath ? { WRK_VARY_PATH: options.varyPath } : {}),
  };
  // stdbuf -oL: wrk's stdout is a pipe here, which stdio would flush only at exit; line by line,
  // its first line tells when the load has begun. (stdbuf execs wrk: same process, same signals.)
  const command = ["stdbuf", "-oL", "wrk", ...args];
  if (options.netns) command.unshift("ip", "netns", "exec", options.netns);
  const run = exec(command[0], command.slice(1), { env, timeout: (seconds + 30) * 1000 });
  // wrk prints "Running <duration> test" once its threads exist, and they connect at once.
  const started = new Promise<void>((resolve, reject) => {
    run.child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Running")) resolve();
    });
    run.child.on("exit", () => reject(new Error(`wrk exited before it started for ${url}`)));
  });
  // A run stopped before it began makes no report: the caller sees the error in `result`.
  started.catch(() => undefined);
  const result = run.then(({ stdout }) => summary(url, stdout));
  return { started, stop: () => run.child.kill("SIGINT"), result };
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  return startLoad(options).result;
}

function summary(url: string, stdout: string): LoadResult {
  const line = stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
  if (!line) throw new Error(`wrk printed no summary for ${url}:\n${stdout}`);
  const r = JSON.parse(line.slice("WRK_JSON ".length)) as Record<string, number>;
  const errors = { connect: r.connect, read: r.read, write: r.write, timeout: r.timeout, status: r.status };
  return {
    url,
    requests: r.requests,
    seconds: r.seconds,
    rps: r.requests / r.seconds,
    p50: r.p50 / 1000,
    p99: r.p99 / 1000,
    errors,
    failed: Object.values(errors).reduce((a, b) => a + b, 0),
  };
}
