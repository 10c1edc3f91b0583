import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Real SSH to a server, with OpenSSH's own client: the local driver's equivalent of the
 * connection pulumi-command opens. The private key comes from settings, as in the stack.
 */
export interface SshTarget {
  address: string;
  port: number;
  user: string;
  /** A file holding the private key (mode 0600). */
  keyFile: string;
}

/** Writes a private key to a 0600 file of its own; call the returned function to delete it. */
export function keyFileFor(privateKey: string): { keyFile: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-key-"));
  const keyFile = path.join(dir, "id");
  fs.writeFileSync(keyFile, privateKey, { mode: 0o600 });
  return { keyFile, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

// Test servers are made anew each time: their host keys are new, so none are checked or kept.
const OPTIONS = [
  "-o",
  "BatchMode=yes",
  "-o",
  "StrictHostKeyChecking=no",
  "-o",
  "UserKnownHostsFile=/dev/null",
  "-o",
  "LogLevel=ERROR",
  "-o",
  "ConnectTimeout=10",
  "-o",
  "ServerAliveInterval=15",
];

export interface Result {
  code: number;
  output: string;
}

function run(
  program: string,
  args: string[],
  stdin: string | undefined,
  onLine?: (line: string) => void,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    let pending = "";
    const take = (chunk: Buffer): void => {
      const text = chunk.toString("utf8");
      output += text;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine?.(line);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", reject);
    child.on("close", (code) => {
      if (pending !== "") onLine?.(pending);
      resolve({ code: code ?? 255, output });
    });
    child.stdin.end(stdin ?? "");
  });
}

/** Runs one command on the server, feeding it stdin; every output line goes to onLine. */
export function ssh(
  target: SshTarget,
  command: string,
  stdin?: string,
  onLine?: (line: string) => void,
): Promise<Result> {
  const args = [
    ...OPTIONS,
    "-i",
    target.keyFile,
    "-p",
    String(target.port),
    `${target.user}@${target.address}`,
    command,
  ];
  return run("ssh", args, stdin, onLine);
}

/** Copies one file to the server (scp, over the same SSH). */
export async function upload(target: SshTarget, source: string, destination: string): Promise<void> {
  const args = [
    ...OPTIONS,
    "-q",
    "-i",
    target.keyFile,
    "-P",
    String(target.port),
    source,
    `${target.user}@${target.address}:${destination}`,
  ];
  const result = await run("scp", args, undefined);
  if (result.code !== 0)
    throw new Error(`scp of ${source} to ${target.address}:${destination} failed: ${result.output.trim()}`);
}
