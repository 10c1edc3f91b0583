import { spawn } from "child_process";
import * as path from "path";

export interface SlowBodies {
  /** What bench/slow_bodies.py printed so far, a line an entry ("open N", "closed"). */
  lines: string[];
  /** Settles once every connection has sent its headers; fails if the script ended before. */
  opened: Promise<void>;
  /** Closes the connections (the script's stdin) and waits for the script to end. */
  stop: () => Promise<void>;
}

/**
 * COUNT slow bodies held from network namespace NETNS (an attacker's address of the run's own)
 * against HOST: POSTs to ROUTE whose headers are sent, then a byte of their body every 4 s, for
 * SECONDS or until stopped (bench/slow_bodies.py). For the attack e2e tests and bench/attack.ts.
 */
export function holdSlowBodies(options: {
  netns: string;
  host: string;
  count: number;
  seconds: number;
  route?: string;
}): SlowBodies {
  const { netns, host, count, seconds, route = "/airbnb-onepage/" } = options;
  const script = path.join(__dirname, "slow_bodies.py");
  const holder = spawn("ip", ["netns", "exec", netns, "python3", script, host, String(count), String(seconds), route]);
  const lines: string[] = [];
  const closed = new Promise<void>((resolve) => holder.on("exit", () => resolve()));
  const opened = new Promise<void>((resolve, reject) => {
    holder.stdout.on("data", (chunk: Buffer) => {
      lines.push(...chunk.toString().trim().split("\n"));
      if (lines.some((l) => l.startsWith("open "))) resolve();
    });
    holder.on("exit", () => reject(new Error(`slow_bodies.py ended before it opened its connections: ${lines}`)));
  });
  // A caller that only reads `lines` must not see an unhandled rejection.
  opened.catch(() => undefined);
  return {
    lines,
    opened,
    stop: async () => {
      holder.stdin.end("stop\n");
      await closed;
    },
  };
}
