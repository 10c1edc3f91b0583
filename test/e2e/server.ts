import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { Plan } from "../../core/plan";
import { RawConfig } from "../../core/settings";
import { RunOptions, StepReport } from "../../local/runner";
import { BootOptions, LocalServer } from "../../local/server";
import { busy } from "./alone";

/** A POST with a JSON body, for server.http(). */
export const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

export const RESULTS = path.join(__dirname, "..", "..", "test-results");

/**
 * A deployed local server for end-to-end tests (local/server.ts), and the ways a test reaches
 * it: HTTP from outside (this machine, as a browser would), and SSH for what only the server
 * can tell. It keeps the plan of its settings and the deploy's log, for the test-results/.
 */
export class TestServer extends LocalServer {
  plan!: Plan;
  log: string[] = [];

  /**
   * NAME is the server's host name; with HBNB_E2E_PREFIX set, the prefix takes the place of its
   * leading "hbnb", so that runs side by side on one machine never touch each other's servers.
   */
  constructor(name: string) {
    const prefix = process.env.HBNB_E2E_PREFIX;
    super(prefix ? name.replace(/^hbnb/, prefix) : name);
  }

  protected override logLine(line: string): void {
    this.log.push(line);
  }

  /** Settings and plan for this server, with stack config overrides. */
  override configure(overrides: RawConfig): void {
    super.configure(overrides);
    this.plan = this.planOf();
  }

  /** Boots the server; never during another test file's window under load (alone.ts). */
  override create(options: BootOptions = {}): Promise<void> {
    return busy(() => super.create(options));
  }

  /** A fresh server in its place, its data disk kept; never during a window under load (alone.ts). */
  override replace(): Promise<void> {
    return busy(() => super.replace());
  }

  /** Deploys PLAN; never during another test file's window under load (alone.ts). */
  override deploy(plan = this.plan, options: Partial<RunOptions> = {}): Promise<StepReport[]> {
    return busy(() => super.deploy(plan, options));
  }

  /** Removes the server (unless HBNB_E2E_KEEP is set) and keeps the deploy log in test-results/. */
  override async destroy(): Promise<void> {
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(path.join(RESULTS, `${this.name}-deploy.log`), this.log.join("\n") + "\n");
    if (process.env.HBNB_E2E_KEEP) this.close();
    else await super.destroy();
  }

  /** Runs a command on the server as the SSH user. */
  async sh(command: string): Promise<{ code: number; out: string }> {
    const result = await this.ssh(command);
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

  /** POSTs BODY to the API's ROUTE, expects 201, and gives the new object's id. */
  async created(route: string, body: object): Promise<string> {
    const answer = await this.http(route, json(body));
    expect([route, answer.status]).toEqual([route, 201]);
    return (JSON.parse(answer.body) as { id: string }).id;
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
  override serving(plan = this.plan): Promise<string> {
    return super.serving(plan);
  }

  /** PIDs of the Gunicorn master of UNIT (default: the first service's) and of its workers. */
  async gunicorn(unit = this.plan.layout.services[0].unit): Promise<{ master: number; workers: number[] }> {
    const service = unit;
    const master = Number((await this.sh(`systemctl show -p MainPID --value ${service}`)).out);
    const children = (await this.sh(`pgrep -P ${master} || true`)).out;
    return { master, workers: children.split("\n").filter(Boolean).map(Number).sort() };
  }
}
