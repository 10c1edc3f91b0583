import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The e2e tier's machine lock (test/e2e/alone.ts) against another jest worker, played by a
 * flock(1) of this test on the same files: what each side waits for. Each test records the order
 * of events; a lock that did not hold would let the action run before the other side let go.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-lock-"));
process.env.HBNB_E2E_LOCK_DIR = dir;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { alone, busy } = require("../e2e/alone") as typeof import("../e2e/alone");
const TURNSTILE = path.join(dir, "hbnb-e2e-turnstile.lock");
const MACHINE = path.join(dir, "hbnb-e2e-machine.lock");

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Another worker's hold: flock MODE on FILE until stop(); resolves once it holds it. */
async function other(mode: "-s" | "-x", file = MACHINE): Promise<{ stop: () => Promise<void> }> {
  const child: ChildProcess = spawn("flock", [mode, file, "-c", "echo held; exec cat >/dev/null"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  await new Promise((resolve) => child.stdout!.once("data", resolve));
  return {
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin!.end();
      await exited;
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 300));

test("a boot waits for another worker's window under load to end", async () => {
  const events: string[] = [];
  const window = await other("-x");
  const booting = busy(async () => events.push("boot"));
  await tick();
  events.push("window ends");
  await window.stop();
  await booting;
  expect(events).toEqual(["window ends", "boot"]);
});

test("a window under load waits for another worker's deploy to end", async () => {
  const events: string[] = [];
  const deploy = await other("-s");
  const loading = alone(async () => events.push("window"));
  await tick();
  events.push("deploy ends");
  await deploy.stop();
  await loading;
  expect(events).toEqual(["deploy ends", "window"]);
});

test("a deploy that comes after a waiting window waits behind it (the turnstile)", async () => {
  const events: string[] = [];
  const deploy = await other("-s");
  const loading = alone(async () => {
    events.push("window");
    await tick();
    events.push("window ends");
  });
  await tick();
  // A second worker's deploy starts while the window waits: through the turnstile first.
  const late = spawn("bash", [
    "-c",
    `flock -x "$1" true && flock -s "$2" true && echo deploy`,
    "_",
    TURNSTILE,
    MACHINE,
  ]);
  const lateDone = new Promise<void>((resolve) =>
    late.stdout.on("data", (d: Buffer) => {
      events.push(String(d).trim());
      resolve();
    }),
  );
  await tick();
  events.push("first deploy ends");
  await deploy.stop();
  await Promise.all([loading, lateDone]);
  expect(events).toEqual(["first deploy ends", "window", "window ends", "deploy"]);
});

test("within one worker: a deploy inside its own window runs at once; a window inside its own deploy is refused", async () => {
  expect(await alone(() => busy(async () => "deployed under load"))).toBe("deployed under load");
  await expect(busy(() => alone(async () => "never"))).rejects.toThrow(
    "alone() called while this worker boots or deploys (busy()): await that first",
  );
  // Nothing is left held: another worker's window gets the machine at once.
  const window = await other("-x");
  await window.stop();
});
