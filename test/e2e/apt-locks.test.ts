import { StepReport } from "../../local/runner";
import { ssh } from "../../local/ssh";
import { TestServer } from "./server";
import { deployWaitingForApt, firstSteps, until } from "./wait";

/**
 * A first boot as on Ubuntu's cloud images: apt-daily.service runs `apt-get update` while the
 * deploy begins, and holds apt's lock of its package lists (/var/lib/apt/lists/lock), which apt
 * takes with one fcntl(F_SETLK) and never waits for (DPkg::Lock::Timeout covers dpkg's locks
 * only). The packages step must wait for it, say who holds it, and install once it is free; and
 * give up with the holder's name when it is never freed.
 */
jest.setTimeout(15 * 60_000);
const server = new TestServer("hbnb-e2e-aptlock");

beforeAll(() => server.create());
afterAll(() => server.destroy());

/** Runs a script as root on the server; fails the test with its output if it fails. */
async function asRoot(script: string): Promise<string> {
  const result = await ssh(server.target, "sudo bash -s", `set -euo pipefail\n${script}`);
  if (result.code !== 0) throw new Error(`script failed on the server:\n${script}\n${result.output}`);
  return result.output.trim();
}

test("the packages step waits while apt-daily's apt-get update holds the lists lock, then installs", async () => {
  // apt-daily.service as on a first boot: the package lists are due for an update, and this
  // update keeps its lock until the test lets it go (apt runs its Pre-Invoke hooks with the
  // lists lock held: apt-pkg/update.cc, ListUpdate then AcquireUpdate).
  const holder = await asRoot(`
    cat >/etc/apt/apt.conf.d/99hbnb-test-hold <<'EOF'
APT::Periodic::Update-Package-Lists "1";
APT::Update::Pre-Invoke { "touch /run/hbnb-test-holding; while [ -e /run/hbnb-test-hold ]; do sleep 0.2; done"; };
EOF
    touch /run/hbnb-test-hold
    systemctl start --no-block apt-daily.service
    for i in $(seq 300); do [ -e /run/hbnb-test-holding ] && break; sleep 0.2; done
    [ -e /run/hbnb-test-holding ]
    # The hook was for apt-daily's run: the deploy's apt-get reads its configuration afresh.
    rm /etc/apt/apt.conf.d/99hbnb-test-hold
    pgrep -o -x apt-get`);
  expect(holder).toMatch(/^\d+$/);

  const { waiting, deploying } = await deployWaitingForApt(server, firstSteps(server.plan));
  expect(waiting).toContain(
    `waiting (up to 600 s) for /var/lib/apt/lists/lock, held by process ${holder} (apt-get -qq -y update, in apt-daily.service)`,
  );

  await asRoot("rm /run/hbnb-test-hold");
  const reports: StepReport[] = await deploying;
  const packages = reports.find((report) => report.step === "packages")!;
  expect(packages.output).toMatch(/^packages: changed: installed nginx gunicorn /m);
  expect((await server.sh("dpkg-query -W -f='${Status}' nginx")).out).toBe("install ok installed");
  // apt-daily's own update went on once let go, and succeeded.
  await until(
    "apt-daily.service finishes",
    300,
    async () => (await server.sh("systemctl is-active apt-daily")).out === "inactive",
  );
  expect((await server.sh("systemctl show -p Result --value apt-daily")).out).toBe("success");
});

test("when the lock is never let go, the step gives up and names the process that holds it", async () => {
  // A MySQL URL adds python3-mysqldb: the packages step has something to install again.
  server.configure({ databaseUrl: "mysql+mysqldb://u:p@db.example.com/hbnb" });
  // Nothing left of the first test: apt-daily done.
  await asRoot("rm -f /run/hbnb-test-hold");
  // Another program holding the lock as apt does (a POSIX record lock, F_SETLKW), in a unit of its own.
  const holder = await asRoot(`
    systemd-run -q --unit=hbnb-test-lock python3 -c 'import fcntl, time
lock = open("/var/lib/apt/lists/lock", "w")
fcntl.lockf(lock, fcntl.LOCK_EX)
open("/run/hbnb-test-locked", "w")
time.sleep(3600)'
    for i in $(seq 150); do [ -e /run/hbnb-test-locked ] && break; sleep 0.2; done
    [ -e /run/hbnb-test-locked ]
    systemctl show -p MainPID --value hbnb-test-lock`);
  // Waiting 3 s instead of 10 minutes: the bound is the script's, lowered as an operator can.
  const plan = firstSteps(server.plan);
  const steps = plan.steps.map((step) =>
    step.name === "packages" ? { ...step, stdin: step.stdin.replace(/^\{\n/, "{\nexport HBNB_APT_WAIT=3\n") } : step,
  );
  await expect(server.deploy({ ...plan, steps })).rejects.toThrow(
    `packages: error: apt-get update gave up after 3 s: /var/lib/apt/lists/lock is still held by process ${holder} (/usr/bin/python3 -c import fcntl, time lock = open(`,
  );
  expect(server.log.join("\n")).toContain(
    `time.sleep(3600), in hbnb-test-lock.service); on a new server that is apt-daily, unattended-upgrades or cloud-init at work: see \`systemctl status ${holder}\` on the server`,
  );

  // Let go, the same plan installs.
  await asRoot("systemctl stop hbnb-test-lock");
  const reports = await server.deploy(firstSteps(server.plan));
  expect(reports.find((report) => report.step === "packages")!.output).toContain(
    "packages: changed: installed python3-mysqldb",
  );
});
