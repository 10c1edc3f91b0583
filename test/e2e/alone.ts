import { ChildProcess, spawn } from "child_process";

/**
 * The e2e files run side by side, in several jest workers (test/run.sh), but a test that counts
 * failed requests under load, or floods a server, must not share this machine's few cores with a
 * boot or a deploy of another file: a request slowed past a timeout by someone else's apt-get
 * would fail the test by chance. So the machine has a readers-writer lock across the workers:
 *
 * - busy(): a boot or a deploy holds it shared; any number of them run at once.
 * - alone(): a window under load holds it exclusive: it waits for the boots and deploys in
 *   flight to end, and new ones wait until it ends.
 *
 * The lock is flock(1) on two files in /run/lock, held by a child process for as long as its
 * stdin is open: a worker that dies lets go of it with its child. A turnstile gives a waiting
 * window precedence: a boot or a deploy passes through it before it takes its shared hold, so
 * once a window waits, new ones queue behind it instead of keeping it out for ever.
 */
// HBNB_E2E_LOCK_DIR: elsewhere, for the lock's own tests (test/unit/e2e-lock.test.ts).
const DIR = process.env.HBNB_E2E_LOCK_DIR ?? "/run/lock";
const TURNSTILE = `${DIR}/hbnb-e2e-turnstile.lock`;
const MACHINE = `${DIR}/hbnb-e2e-machine.lock`;

// bash, not sh: `exec N>file` opens the lock files on fixed descriptors that flock(1) and then
// cat (which holds the lock until its stdin closes) inherit.
const SCRIPTS = {
  shared: 'exec 8>"$1" 9>"$2"; flock -x 8; exec 8>&-; flock -s 9; echo held; exec cat >/dev/null',
  exclusive: 'exec 8>"$1" 9>"$2"; flock -x 8; flock -x 9; exec 8>&-; echo held; exec cat >/dev/null',
};

/** Takes the machine's lock in MODE; resolves with the child that holds it, once it does. */
function take(mode: keyof typeof SCRIPTS): Promise<ChildProcess> {
  const child = spawn("bash", ["-c", SCRIPTS[mode], "lock", TURNSTILE, MACHINE], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout.once("data", () => resolve(child));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the e2e machine lock (${mode}) ended with ${code}`)));
  });
}

/** Lets go of HOLD; one that was never taken (its error went to the caller) needs nothing. */
async function letGo(hold: Promise<ChildProcess>): Promise<void> {
  const child = await hold.catch(() => undefined);
  if (!child) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.stdin!.end();
  await exited;
}

/** One worker's hold of the lock in MODE, taken by its first call and let go after its last. */
class Hold {
  // This worker's calls running in it now, and the child that holds the lock for them.
  private count = 0;
  private child: Promise<ChildProcess> | undefined;

  constructor(private readonly mode: keyof typeof SCRIPTS) {}

  get held(): boolean {
    return this.count > 0;
  }

  async run<T>(action: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      this.child ??= take(this.mode);
      await this.child;
      return await action();
    } finally {
      if (--this.count === 0 && this.child) {
        const child = this.child;
        this.child = undefined;
        await letGo(child);
      }
    }
  }
}

const shared = new Hold("shared");
const exclusive = new Hold("exclusive");

/** Runs ACTION, a boot or a deploy, never during another file's window under load. */
export async function busy<T>(action: () => Promise<T>): Promise<T> {
  // Inside this worker's own window (a deploy under load) the machine is this worker's already.
  if (exclusive.held) return action();
  return shared.run(action);
}

/** Runs ACTION, a window under load or a flood, with no boot or deploy of another file running. */
export async function alone<T>(action: () => Promise<T>): Promise<T> {
  if (shared.held) {
    // It would wait for its own worker's shared hold for ever.
    throw new Error("alone() called while this worker boots or deploys (busy()): await that first");
  }
  return exclusive.run(action);
}

/**
 * Every test of the file (from here down) runs in HOLD: alone, for a file whose tests all flood
 * a server; busy, for one whose tests all boot servers (a first boot runs the whole plan).
 */
export function inEachTest(hold: typeof alone): void {
  let done: (() => void) | undefined;
  let held: Promise<void> | undefined;
  beforeEach(async () => {
    let started!: () => void;
    const start = new Promise<void>((resolve) => (started = resolve));
    held = hold(() => {
      started();
      return new Promise<void>((resolve) => (done = resolve));
    });
    await Promise.race([start, held]);
  });
  afterEach(async () => {
    done?.();
    await held;
  });
}
