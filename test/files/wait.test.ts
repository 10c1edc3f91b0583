import * as fs from "fs";
import * as path from "path";
import { Sandbox } from "./sandbox";

/**
 * The wait step's decisions, fast: the system it accepts (/etc/os-release of the sandbox's /etc)
 * and its wait for cloud-init's first boot (`cloud-init status --wait`, whose exit code 2 means
 * "done, with recoverable errors": cloud-init's cmd/status.py). systemctl and cloud-init are stubs.
 */
const sandboxes: Sandbox[] = [];
afterAll(() => sandboxes.forEach((sandbox) => sandbox.remove()));

/** Runs wait.sh on a system of OS_RELEASE; cloud-init (when given) exits with CLOUD_INIT. */
function wait(osRelease: string, cloudInit?: number, env: Record<string, string> = {}) {
  const sandbox = new Sandbox();
  sandboxes.push(sandbox);
  sandbox.stub("systemctl", '#!/bin/sh\necho "systemctl $*" >>"$STUB_DIR/log"\necho running\n');
  if (cloudInit !== undefined) {
    sandbox.stub("cloud-init", `#!/bin/sh\necho "cloud-init $*" >>"$STUB_DIR/log"\nexit ${cloudInit}\n`);
  }
  // /etc/os-release is a link into /usr/lib: replaced in the overlay, never written through.
  fs.writeFileSync(path.join(sandbox.dir, "state", "os-release"), osRelease);
  const result = sandbox.run("wait.sh", env, `rm -f /etc/os-release && cp "$STUB_DIR/os-release" /etc/os-release`);
  return { ...result, calls: sandbox.calls() };
}

const UBUNTU_2404 = 'ID=ubuntu\nVERSION_ID="24.04"\nPRETTY_NAME="Ubuntu 24.04.3 LTS"\n';
const DEBIAN_13 = 'ID=debian\nVERSION_ID="13"\nPRETTY_NAME="Debian GNU/Linux 13 (trixie)"\n';

test("Ubuntu 24.04: waits for cloud-init, which finished with recoverable errors (exit 2)", () => {
  const result = wait(UBUNTU_2404, 2);
  expect(result.out).toBe("wait: ready: Ubuntu 24.04.3 LTS, systemd running\nwait: unchanged\n");
  expect(result.code).toBe(0);
  expect(result.calls).toBe("systemctl is-system-running --wait\ncloud-init status --wait\n");
});

test("cloud-init failed: the step stops and says where its log is", () => {
  const result = wait(UBUNTU_2404, 1);
  expect(result.out).toBe("wait: error: cloud-init did not finish (exit 1); see /var/log/cloud-init-output.log\n");
  expect(result.code).toBe(1);
});

test("Debian 13, the local image that stands in for Ubuntu 24.04, is accepted", () => {
  const result = wait(DEBIAN_13, 0);
  expect(result.out).toBe("wait: ready: Debian GNU/Linux 13 (trixie), systemd running\nwait: unchanged\n");
  expect(result.code).toBe(0);
});

test("without cloud-init (a server of your own; this machine has none) there is nothing to wait for", () => {
  const result = wait(DEBIAN_13);
  expect(result.code).toBe(0);
  expect(result.calls).toBe("systemctl is-system-running --wait\n");
});

test("another system is refused, with the ones the stack supports", () => {
  const result = wait('ID=debian\nVERSION_ID="11"\nPRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\n', 0);
  expect(result.out).toBe(
    "wait: error: unsupported system Debian GNU/Linux 11 (bullseye); the stack supports Ubuntu 22.04, Ubuntu 24.04, Debian 12 and Debian 13\n",
  );
  expect(result.code).toBe(1);
});

test("run by cloud-init itself (the boot driver, core/user-data.ts): waits for neither the boot nor cloud-init", () => {
  // Either wait would never end there: cloud-init's final stage, and so the boot, ends after
  // the plan. The stubs answer at once, so only their calls show it.
  const result = wait(UBUNTU_2404, 0, { HBNB_BOOT_DRIVER: "cloud-init" });
  expect(result.out).toBe("wait: ready: Ubuntu 24.04.3 LTS, run by cloud-init at first boot\nwait: unchanged\n");
  expect(result.code).toBe(0);
  expect(result.calls).toBe("");
});
