import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

/**
 * Git repositories written by the tests with the git CLI, and real servers for them on
 * 127.0.0.1 (git's own daemon, OpenSSH's sshd), each started per connection by
 * test/fixtures/inetd.mjs.
 */

// The tests' own git: no user or system config of this machine, a fixed identity and dates.
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A repository with branch main in DIR. */
export function initRepo(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, "init", "--quiet", "--initial-branch=main");
}

/** Writes FILES (path → content; null removes) into the repository, commits them all, returns the commit. */
export function commit(dir: string, message: string, files: Record<string, string | null>): string {
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(dir, file);
    if (content === null) {
      fs.rmSync(full);
    } else {
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, content);
    }
  }
  git(dir, "add", "--all");
  git(dir, "commit", "--quiet", "-m", message);
  return git(dir, "rev-parse", "HEAD");
}

/** Every file under DIR, relative, sorted. */
export function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

export interface Server {
  port: number;
  /** What the servers wrote to stderr, for a failing test's message. */
  log: () => string;
  stop: () => Promise<void>;
}

const INETD = path.join(__dirname, "..", "fixtures", "inetd.mjs");

/** COMMAND started for each connection to 127.0.0.1:<port> (test/fixtures/inetd.mjs). */
export function inetd(command: string, args: string[]): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, [INETD, command, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
  };
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\n/.exec(stdout);
      if (line) resolve({ port: Number(line[1]), log: () => stderr, stop });
    });
    child.once("exit", (code) => reject(new Error(`inetd exited ${code} before listening: ${stderr}`)));
  });
}

/** git's daemon serving every repository under BASE: git://127.0.0.1:<port>/<dir under BASE>. */
export const gitDaemon = (base: string): Promise<Server> =>
  inetd("git", ["daemon", "--inetd", "--export-all", "--informative-errors", `--base-path=${base}`, base]);
