import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { sshUserData } from "../../components/cloud-config";
import { down, Image, LocalHost, stateDir, stateFile, up } from "../../local/hosts";
import { hostSecrets } from "../../local/secrets";
import { runPlan, RunOptions, StepReport } from "../../local/runner";
import { keyFileFor, ssh, SshTarget } from "../../local/ssh";
import { localPlan, localSettings } from "../../local/stack";
import { Plan } from "../../components/plan";
import { RawConfig, Settings } from "../../components/settings";

/** A POST with a JSON body, for server.http(). */
export const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

export const RESULTS = path.join(__dirname, "..", "..", "test-results");

/**
 * A deployed local server for end-to-end tests, and the ways a test reaches it: HTTP from
 * outside (this machine, as a browser would), and SSH for what only the server can tell.
 */
export class TestServer {
  private removeKey: () => void = () => undefined;
  host!: LocalHost;
  settings!: Settings;
  plan!: Plan;
  target!: SshTarget;
  log: string[] = [];

  readonly name: string;

  /**
   * NAME is the server's host name; with HBNB_E2E_PREFIX set, the prefix takes the place of its
   * leading "hbnb", so that runs side by side on one machine never touch each other's servers.
   */
  constructor(name: string) {
    const prefix = process.env.HBNB_E2E_PREFIX;
    this.name = prefix ? name.replace(/^hbnb/, prefix) : name;
  }

  /**
   * A brand-new server (any earlier one of that name is removed first). The "cloud" image boots
   * through cloud-init like Ubuntu 24.04 on EC2, with the user data the stack gives an EC2
   * instance for SSH_PORT; the plan then connects on that port.
   */
  async create(options: { image?: Image; sshPort?: number } = {}): Promise<void> {
    const { image = "debian", sshPort = 22 } = options;
    await down(this.name);
    const userData = image === "cloud" ? sshUserData({ sshPort, ubuntuRelease: "24.04" }) : undefined;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-user-data-"));
    try {
      let userDataFile: string | undefined;
      if (userData !== undefined) {
        userDataFile = path.join(dir, "user-data");
        fs.writeFileSync(userDataFile, userData);
      }
      this.host = await up(this.name, { image, userDataFile, sshPort });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    this.configure({});
  }

  /** Settings and plan for this server, with stack config overrides. */
  configure(overrides: RawConfig): void {
    this.settings = localSettings(this.host, overrides);
    this.plan = localPlan(this.settings);
    this.removeKey();
    const key = keyFileFor(this.settings.ssh.privateKey);
    this.removeKey = key.remove;
    this.target = { address: this.host.address, port: this.host.port, user: this.host.user, keyFile: key.keyFile };
  }

  async deploy(plan = this.plan, options: Partial<RunOptions> = {}): Promise<StepReport[]> {
    return runPlan(this.target, plan, {
      stateFile: stateFile(this.name),
      secrets: this.secrets(),
      log: (line) => this.log.push(line),
      ...options,
    });
  }

  /** Removes the server (unless HBNB_E2E_KEEP is set) and keeps the deploy log in test-results/. */
  /** The values of the plan's secrets on this server. */
  secrets(): Record<string, string> {
    return hostSecrets(stateDir(this.name));
  }

  async destroy(): Promise<void> {
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(path.join(RESULTS, `${this.name}-deploy.log`), this.log.join("\n") + "\n");
    this.removeKey();
    if (!process.env.HBNB_E2E_KEEP) await down(this.name);
  }

  /** Runs a command on the server as the SSH user. */
  async sh(command: string): Promise<{ code: number; out: string }> {
    const result = await ssh(this.target, command);
    return { code: result.code, out: result.output.trim() };
  }

  /**
   * GET (or another method) from outside the server; redirects are not followed. A request that
   * is no GET carries the API token, as the operator's scripts send it (apiWriteAccess token),
   * unless it sets an Authorization header of its own.
   */
  async http(path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: string }> {
    const headers = new Headers(init.headers);
    if ((init.method ?? "GET") !== "GET" && !headers.has("Authorization"))
      headers.set("Authorization", `Bearer ${this.secrets().apiToken}`);
    const response = await fetch(`http://${this.host.address}${path}`, {
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
      ...init,
      headers,
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  /** Whether a TCP connection to the port succeeds from outside within the timeout. */
  reachable(port: number, timeoutMs = 3000): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: this.host.address, port });
      const done = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(timeoutMs, () => done(false));
      socket.on("connect", () => done(true));
      socket.on("error", () => done(false));
    });
  }

  /** The release id the app's health check answers with, through its socket on the server. */
  async serving(): Promise<string> {
    const { out } = await this.sh(`sudo curl -fsS --unix-socket ${this.plan.layout.socket} http://localhost/-/health`);
    return (JSON.parse(out) as { release: string }).release;
  }

  /** PIDs of the Gunicorn master and of its workers. */
  async gunicorn(): Promise<{ master: number; workers: number[] }> {
    const service = this.plan.layout.service;
    const master = Number((await this.sh(`systemctl show -p MainPID --value ${service}`)).out);
    const children = (await this.sh(`pgrep -P ${master} || true`)).out;
    return { master, workers: children.split("\n").filter(Boolean).map(Number).sort() };
  }
}
