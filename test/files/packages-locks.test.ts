import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Sandbox } from "./sandbox";

/**
 * The packages step's waiting for apt's locks, fast, with apt-get a stub that answers as apt does
 * (its words from apt-pkg/contrib/fileutl.cc, GetLock: "Could not get lock FILE. It is held by
 * process PID (NAME)"), and sleep a stub that only logs. The real contention (apt-daily's
 * apt-get update on a booted server) is in test/e2e/apt-locks.test.ts.
 */
const sandboxes: Sandbox[] = [];
let holder: ChildProcess;
beforeAll(() => {
  // A real process to name as the holder: the step reads its command line from /proc.
  holder = spawn("sleep", ["300"], { stdio: "ignore" });
});
afterAll(() => {
  holder.kill();
  sandboxes.forEach((sandbox) => sandbox.remove());
});

const listsLocked = (pid: number) =>
  `E: Could not get lock /var/lib/apt/lists/lock. It is held by process ${pid} (sleep)\nE: Unable to lock directory /var/lib/apt/lists/`;

/** Runs packages.sh for nginx; apt-get answers each call with the next of ANSWERS ([exit code, stderr]). */
function packages(answers: [number, string][], env: Record<string, string> = {}) {
  const sandbox = new Sandbox();
  sandboxes.push(sandbox);
  fs.writeFileSync(path.join(sandbox.dir, "state", "answers"), answers.map(([code, err]) => JSON.stringify([code, err])).join("\n") + "\n");
  sandbox.stub(
    "apt-get",
    `#!/usr/bin/env bash
echo "apt-get $*" >>"$STUB_DIR/log"
n=$(($(cat "$STUB_DIR/count" 2>/dev/null || echo 0) + 1)); echo "$n" >"$STUB_DIR/count"
answer=$(sed -n "\${n}p" "$STUB_DIR/answers")
python3 -c 'import json, sys; code, err = json.loads(sys.argv[1]); sys.stderr.write(err + "\\n" if err else ""); sys.exit(code)' "$answer"
`,
  );
  sandbox.stub("dpkg-query", "#!/bin/sh\nexit 1\n");
  sandbox.stub("sleep", '#!/bin/sh\necho "sleep $*" >>"$STUB_DIR/log"\n');
  const result = sandbox.run("packages.sh", { HBNB_PACKAGES: "nginx", ...env });
  return { ...result, calls: sandbox.calls().trim().split("\n") };
}

test("a lock held by another process: waits, says once who holds it, then installs", () => {
  const pid = holder.pid!;
  const result = packages([
    [100, listsLocked(pid)],
    [100, listsLocked(pid)],
    [0, ""],
    [0, ""],
  ]);
  // (sleep 300) and, when this test runs inside a systemd unit, ", in <unit>".
  const lines = result.out.split("\n");
  expect(lines[0]).toMatch(
    new RegExp(`^packages: waiting \\(up to 600 s\\) for /var/lib/apt/lists/lock, held by process ${pid} \\(sleep 300(, in \\S+)?\\)$`),
  );
  expect(lines.slice(1)).toEqual(["packages: changed: installed nginx", "packages: done, 1 change(s)", ""]);
  expect(result.code).toBe(0);
  expect(result.calls).toEqual([
    expect.stringMatching(/^apt-get -q -o DPkg::Lock::Timeout=(600|599) update$/),
    "sleep 2",
    expect.stringMatching(/^apt-get -q -o DPkg::Lock::Timeout=\d+ update$/),
    "sleep 2",
    expect.stringMatching(/^apt-get -q -o DPkg::Lock::Timeout=\d+ update$/),
    expect.stringMatching(/^apt-get -q -o DPkg::Lock::Timeout=(600|599) install -y --no-install-recommends nginx$/),
  ]);
});

test("the download directory's lock (apt-get install) is waited for too", () => {
  const pid = holder.pid!;
  const archives = `E: Could not get lock /var/cache/apt/archives/lock. It is held by process ${pid} (sleep)\nE: Unable to lock directory /var/cache/apt/archives/`;
  const result = packages([
    [0, ""],
    [100, archives],
    [0, ""],
  ]);
  expect(result.out).toContain(`packages: waiting (up to 600 s) for /var/cache/apt/archives/lock, held by process ${pid}`);
  expect(result.out).toContain("packages: changed: installed nginx");
  expect(result.code).toBe(0);
});

test("when the lock is still held at the bound, the step fails naming the process", () => {
  const pid = holder.pid!;
  const result = packages([[100, listsLocked(pid)]], { HBNB_APT_WAIT: "0" });
  expect(result.out).toContain(
    `packages: error: apt-get update gave up after 0 s: /var/lib/apt/lists/lock is still held by process ${pid} (sleep 300`,
  );
  expect(result.out).toContain(
    `; on a new server that is apt-daily, unattended-upgrades or cloud-init at work: see \`systemctl status ${pid}\` on the server, and deploy again once it has finished`,
  );
  expect(result.code).toBe(1);
  expect(result.calls).toEqual(["apt-get -q -o DPkg::Lock::Timeout=0 update"]);
});

test("any other failure of apt stops the step at once, with apt's words", () => {
  const failed = "E: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  Could not resolve 'deb.debian.org'";
  const result = packages([[100, failed]]);
  expect(result.out).toBe(`packages: error: apt-get update failed: ${failed}\n`);
  expect(result.code).toBe(1);
  expect(result.calls).toHaveLength(1);
});
