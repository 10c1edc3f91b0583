import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { loadServerFiles } from "../../core/files";
import { buildPlan, Plan, secretNames } from "../../core/plan";
import { parseSettings } from "../../core/settings";
import { bootPlan, BootSecret, bootUserData } from "../../core/user-data";
import { reserveAddress, stateFile, up } from "../../local/hosts";
import { sourceBundle } from "../../source/fetch";
import { busy, inEachTest } from "./alone";
import { RESULTS, TestServer } from "./server";
import { until } from "./wait";

/**
 * The boot driver (core/user-data.ts, files/boot/boot.py): a cloud-image server whose only
 * provisioning is the stack's user data, read by cloud-init from its NoCloud seed as EC2's would
 * be, comes up serving. A node HTTP server on this machine, on the server's gateway address,
 * stands in for S3: it serves the boot plan and the release archive, and nothing else. No step
 * runs over SSH; SSH is only how the test looks at the result.
 */
jest.setTimeout(30 * 60_000);

/** The settings of an instance of the group, SSH on SSH_PORT. */
const settingsOf = (sshPort = 22) =>
  parseSettings({
    target: "existing",
    // The plan does not depend on the address: the boot driver needs none.
    hosts: '["192.0.2.10"]',
    sshUser: "ubuntu",
    sshPort: String(sshPort),
    privateKey: fs.readFileSync(path.join(__dirname, "..", "fixtures", "id_ed25519"), "utf8"),
  });
const settings = settingsOf();
const bundle = sourceBundle(settings.app);
const fullPlan = buildPlan(settings, bundle, loadServerFiles());
const PORT = 18080;

/** The stand-in for S3: serves FILES (URL path → bytes) on ADDRESS, 404 for anything else; logs each request. */
async function objectStore(address: string, files: Record<string, Buffer>) {
  const requests: string[] = [];
  const store = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const body = request.method === "GET" ? files[request.url ?? ""] : undefined;
    response.writeHead(body ? 200 : 404).end(body);
  });
  await new Promise<void>((resolve, reject) => store.once("error", reject).listen(PORT, address, resolve));
  return { requests, close: () => new Promise((resolve) => store.close(resolve)) };
}

/** Letters and digits, as the stack's RandomPasswords. */
const randomSecret = (): string => crypto.randomBytes(48).toString("base64url").replace(/[-_]/g, "").slice(0, 64);

/**
 * Boots SERVER with PLAN's user data, its boot plan and the release served from its gateway;
 * returns the store (stopped by the caller) and when the boot began.
 */
async function bootWith(server: TestServer, plan: Plan, sshPort = 22) {
  await server.destroy();
  const { gateway } = await reserveAddress(server.name);
  const base = `http://${gateway}:${PORT}`;
  // Secrets as plain values in the user data: the local test's choice; on AWS they are SSM
  // SecureStrings read with the instance role (components/aws-autoscaling.ts).
  const secrets: Record<string, BootSecret> = Object.fromEntries(
    secretNames(settings).map((name) => [name, { value: randomSecret() }]),
  );
  const userData = bootUserData(plan, {
    plan: { url: `${base}/plan.json` },
    archive: { url: `${base}/release.tar.gz` },
    secrets,
    // As the group's launch template has it (port 22 and the user ubuntu add nothing).
    ssh: { sshPort, sshUser: "ubuntu", ubuntuRelease: "24.04" },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-user-data-"));
  const userDataFile = path.join(dir, "user-data");
  fs.writeFileSync(userDataFile, userData);
  // The veth (and so the gateway address) exists only once the server is being made: the store
  // starts when it does, and the boot's fetches try again until it answers.
  const started = Date.now();
  const booting = up(server.name, { image: "cloud", userDataFile, sshPort }).finally(() =>
    fs.rmSync(dir, { recursive: true }),
  );
  booting.catch(() => undefined); // awaited below
  await until("the server's link is up", 300, () =>
    spawnSync("ip", ["-4", "-o", "addr", "show"], { encoding: "utf8" }).stdout.includes(` ${gateway}/`),
  );
  const store = await objectStore(gateway, {
    "/plan.json": Buffer.from(bootPlan(plan)),
    "/release.tar.gz": fs.readFileSync(bundle.archive),
  });
  server.host = await booting;
  server.configure({});
  return { store, started, userData };
}

/** Whether the page and the API answer 200 from outside. */
async function serves(server: TestServer): Promise<boolean> {
  const status = (route: string) =>
    fetch(`http://${server.host.address}${route}`, { signal: AbortSignal.timeout(10_000) }).then(
      (response) => response.status,
      () => 0,
    );
  const statuses = await Promise.all(["/", "/api/v1/status"].map(status));
  return statuses.every((code) => code === 200);
}

describe("the user-data driver", () => {
  const server = new TestServer("hbnb-e2e-userdata");
  afterAll(() => server.destroy());
  // Each test boots a server whose first boot runs the whole plan (alone.ts).
  inEachTest(busy);

  test("a cloud-init first boot with the stack's user data comes up serving, with no SSH step", async () => {
    const { store, started, userData } = await bootWith(server, fullPlan);
    try {
      await until("the page and the API answer 200 from outside", 20 * 60, () => serves(server));
      const seconds = (Date.now() - started) / 1000;
      expect(await server.http("/api/v1/status")).toMatchObject({ status: 200 });
      expect(await server.serving(fullPlan)).toBe(fullPlan.release);
      await until(
        "cloud-init finishes",
        300,
        async () => (await server.sh("cloud-init status")).out !== "status: running",
      );
      expect((await server.sh("cloud-init status")).out).toBe("status: done");
      const log = (await server.sh("sudo cat /var/log/cloud-init-output.log")).out;
      // Every step ran, in the plan's order, under the boot driver.
      const ran = [...log.matchAll(/^hbnb-stack boot: ([a-z]+): ok /gm)].map((m) => m[1]);
      expect(ran).toEqual(fullPlan.steps.map((step) => step.name));
      expect(log).toContain("wait: ready: Debian GNU/Linux 13 (trixie), run by cloud-init at first boot");
      expect(log).toContain(`release: changed: unpacked release ${fullPlan.release}`);
      // The store served the plan and the archive, once each, and was asked for nothing else.
      expect(store.requests).toEqual(["GET /plan.json", "GET /release.tar.gz"]);
      // The SSH driver keeps the triggers of every step it runs: it ran none here.
      expect(fs.existsSync(stateFile(server.name))).toBe(false);
      fs.mkdirSync(RESULTS, { recursive: true });
      fs.writeFileSync(path.join(RESULTS, `${server.name}-cloud-init-output.log`), log + "\n");
      console.log(
        `user data ${Buffer.byteLength(userData)} bytes; boot plan ${Buffer.byteLength(bootPlan(fullPlan))} bytes; ` +
          `boot to serving ${seconds.toFixed(0)} s`,
      );
    } finally {
      await store.close();
    }
  });

  test("a failing step stops the boot's run: cloud-init reports the error, the steps after it do not run", async () => {
    // The release step before the users step that makes its directories: it fails.
    const broken: Plan = {
      ...fullPlan,
      steps: fullPlan.steps.filter((step) => ["wait", "release", "prune"].includes(step.name)),
    };
    const { store } = await bootWith(server, broken);
    try {
      await until(
        "cloud-init finishes",
        600,
        async () => (await server.sh("cloud-init status")).out !== "status: running",
      );
      const status = await server.sh("cloud-init status --long");
      expect(status.out).toMatch(/^status: error$/m);
      expect(status.out).toContain("scripts_user");
      const log = (await server.sh("sudo cat /var/log/cloud-init-output.log")).out;
      expect(log).toContain("hbnb-stack boot: step release failed with exit 1; the steps after it did not run");
      expect(log).not.toContain("hbnb-stack boot: prune:");
    } finally {
      await store.close();
    }
  });

  test("with SSH on another port: the user data moves it first, the plan keeps it there, and serves", async () => {
    const plan = buildPlan(settingsOf(2222), bundle, loadServerFiles());
    const { store } = await bootWith(server, plan, 2222);
    try {
      await until("the page and the API answer 200 from outside", 20 * 60, () => serves(server));
      await until(
        "cloud-init finishes",
        300,
        async () => (await server.sh("cloud-init status")).out !== "status: running",
      );
      expect((await server.sh("cloud-init status")).out).toBe("status: done");
      // This SSH session itself came in on 2222, after the harden and firewall steps.
      expect(server.target.port).toBe(2222);
      expect((await server.sh("sudo sshd -T | grep '^port '")).out).toBe("port 2222");
      expect((await server.sh("sudo ufw status")).out).toMatch(/^2222\/tcp\s+ALLOW\s+Anywhere\b/m);
    } finally {
      await store.close();
    }
  });
});
