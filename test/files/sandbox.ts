import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..", "..");

/**
 * A step script run on this machine as if on a server, to test its decisions without one: in a
 * mount namespace of its own, where /etc is an overlay (what the script writes there lands in
 * `upper/` of a temporary directory; this machine's /etc is untouched) and
 * /proc/sys/kernel/core_pattern is a file of the test's (read-only, as in a container, when
 * asked). The programs the test names are stubs on PATH; each stub's arguments are logged.
 * Paths a step takes from its values (the app's directories, the state directory) go under
 * `root/` of the same temporary directory.
 * Needs root (mount namespaces), as the whole test suite does.
 */
export class Sandbox {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-sandbox-"));

  constructor(options: { corePattern?: string; readOnlyCorePattern?: boolean } = {}) {
    for (const sub of ["upper", "work", "stubs", "state", "root"]) fs.mkdirSync(path.join(this.dir, sub));
    fs.writeFileSync(path.join(this.dir, "core_pattern"), `${options.corePattern ?? "core"}\n`);
    this.readOnlyCorePattern = options.readOnlyCorePattern ?? false;
  }

  private readonly readOnlyCorePattern: boolean;

  /** Puts a stub program NAME on PATH; its script finds the sandbox's state/ in $STUB_DIR. */
  stub(name: string, script: string): void {
    fs.writeFileSync(path.join(this.dir, "stubs", name), script, { mode: 0o755 });
  }

  /** Runs files/scripts/SCRIPT with ENV, after SETUP (bash, as root in the sandbox) made its /etc. */
  run(script: string, env: Record<string, string>, setup = ""): { code: number | null; out: string } {
    const commands = [
      "set -euo pipefail",
      `mount -t overlay overlay -o lowerdir=/etc,upperdir=${this.dir}/upper,workdir=${this.dir}/work /etc`,
      `mount --bind ${this.dir}/core_pattern /proc/sys/kernel/core_pattern`,
      this.readOnlyCorePattern ? "mount -o remount,bind,ro /proc/sys/kernel/core_pattern" : "",
      setup,
      `exec bash ${root}/files/scripts/${script}`,
    ].join("\n");
    const result = spawnSync("unshare", ["--mount", "--propagation", "private", "bash", "-c", commands], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${this.dir}/stubs:${process.env.PATH}`, STUB_DIR: `${this.dir}/state`, ...env },
    });
    return { code: result.status, out: `${result.stdout}${result.stderr}` };
  }

  /** The absolute path of FILE in the sandbox ("root/srv/hbnb": a temporary root for a step's own paths). */
  path(file: string): string {
    return path.join(this.dir, file);
  }

  /** Writes FILE of the sandbox, mode 0644 (its directories made as needed). */
  write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(this.path(file)), { recursive: true });
    fs.writeFileSync(this.path(file), text);
    fs.chmodSync(this.path(file), 0o644);
  }

  /** Text of a file of the sandbox (`upper/...` is what the script wrote in /etc). */
  read(file: string): string {
    return fs.readFileSync(path.join(this.dir, file), "utf8");
  }

  exists(file: string): boolean {
    return fs.existsSync(path.join(this.dir, file));
  }

  /** What the stubs were called with, a line per call (a stub appends "NAME ARGS" to state/log). */
  calls(): string {
    return this.exists("state/log") ? this.read("state/log") : "";
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
