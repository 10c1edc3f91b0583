import * as fs from "fs";
import * as os from "os";

/**
 * The machine a benchmark ran on, printed with its figures: they mean nothing without it. The
 * load average matters as much as the CPU here: the load tool, Nginx and Gunicorn share the
 * same cores, and so does anything else running at the time.
 */
export interface Machine {
  cores: number;
  cpu: string;
  memory: string;
  kernel: string;
  os: string;
  /** 1-minute load average. */
  load: number;
}

export function machine(): Machine {
  const release = fs.existsSync("/etc/os-release") ? fs.readFileSync("/etc/os-release", "utf8") : "";
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    os: /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release)?.[1] ?? "unknown",
    load: os.loadavg()[0],
  };
}

export function describe(m: Machine): string {
  return `${m.cores} cores (${m.cpu}), ${m.memory}, ${m.os}, ${m.kernel}`;
}

/** A progress line on stderr, with the time: the benchmark runs for minutes. */
export function progress(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

export const seconds = (since: number): number => (Date.now() - since) / 1000;
