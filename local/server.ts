import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Bundle } from "../core/bundle";
import { sshUserData } from "../core/cloud-config";
import { loadServerFiles } from "../core/files";
import { buildPlan, Plan } from "../core/plan";
import { RawConfig, Settings } from "../core/settings";
import { down, Image, LocalHost, stateDir, stateFile, up } from "./hosts";
import { runPlan, RunOptions, StepReport, undoPlan } from "./runner";
import { hostSecrets, keepHostSecrets } from "./secrets";
import { keyFileFor, Result, ssh, SshTarget } from "./ssh";
import { localSettings } from "./stack";
import { sourceBundle } from "../source/fetch";

export interface BootOptions {
  /** "debian" unless given (local/hosts.ts, IMAGES). */
  image?: Image;
  /**
   * cloud image: the SSH port of the stack. The server boots with the user data the stack gives
   * an EC2 instance for it (core/cloud-config.ts), and the plan connects on it; 22 unless given.
   */
  sshPort?: number;
  /**
   * A data disk of its own for dataDir (the local EBS volume, local/host.sh --data-disk): the
   * plan then has the volume step, and replace() keeps the disk.
   */
  dataDisk?: boolean;
}

/**
 * One disposable local server with the stack's plan on it, the local driver's whole cycle:
 * boot a host (local/host.sh), build the settings (the stack pointed at the host) and the plan,
 * run the plan over real SSH as `pulumi up` would, and reach the server over SSH and HTTP.
 * `npm start`, the e2e tests (test/e2e/server.ts) and the benchmarks (bench/servers.ts) all
 * use it. The triggers of the steps that ran and the stand-ins for the stack's secrets are kept
 * per server (local/hosts.ts, stateDir), so a later run re-runs only what changed.
 */
export class LocalServer {
  host!: LocalHost;
  settings!: Settings;
  /** How the plan reaches the server: the settings' user and port, the key in a file of its own. */
  target!: SshTarget;
  private removeKey: () => void = () => undefined;
  private booted: BootOptions = {};
  private overrides: RawConfig = {};

  constructor(readonly name: string) {}

  /** Where the steps' output lines go while the plan runs (the console here). */
  protected logLine(line: string): void {
    console.log(line);
  }

  /** Boots the server (or finds it running on the same image), then configure(overrides). */
  async up(options: BootOptions = {}, overrides: RawConfig = {}): Promise<void> {
    const { image = "debian", sshPort = 22, dataDisk } = options;
    this.booted = options;
    const userData = image === "cloud" ? sshUserData({ sshPort, ubuntuRelease: "24.04" }) : undefined;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-user-data-"));
    try {
      let userDataFile: string | undefined;
      if (userData !== undefined) {
        userDataFile = path.join(dir, "user-data");
        fs.writeFileSync(userDataFile, userData);
      }
      this.host = await up(this.name, { image, userDataFile, sshPort, dataDisk });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    this.configure(overrides);
  }

  /** A brand-new server: any earlier one of that name (an interrupted run) is removed first. */
  async create(options: BootOptions = {}): Promise<void> {
    await down(this.name);
    await this.up(options);
  }

  /**
   * The server replaced, as a replaced instance on AWS: powered off and removed with its root and
   * its driver's state, then a fresh one of the same name booted as before, with the same data
   * disk (if it has one), settings and secrets. The next deploy runs every step on it.
   */
  async replace(): Promise<void> {
    const overrides = this.overrides;
    const secrets = this.secrets();
    this.close();
    await down(this.name, { keepData: true });
    await this.up(this.booted, overrides);
    keepHostSecrets(stateDir(this.name), secrets);
  }

  /** The settings of this server: the stack's, with OVERRIDES (raw config, as in a stack file). */
  configure(overrides: RawConfig = {}): void {
    this.overrides = overrides;
    this.settings = localSettings(this.host, overrides);
    this.removeKey();
    const key = keyFileFor(this.settings.ssh.privateKey);
    this.removeKey = key.remove;
    const { user, port } = this.settings.ssh;
    this.target = { address: this.host.address, port, user, keyFile: key.keyFile };
  }

  /** The plan of the current settings, for BUNDLE (the app of the settings' appSource unless given). */
  planOf(bundle: Bundle = sourceBundle(this.settings.app)): Plan {
    return buildPlan(this.settings, bundle, loadServerFiles(), { dataVolume: this.host.dataDevice !== undefined });
  }

  /** Runs PLAN: only the steps whose inputs changed since the last run here, unless options.force. */
  deploy(plan: Plan, options: Partial<RunOptions> = {}): Promise<StepReport[]> {
    return runPlan(this.target, plan, {
      stateFile: stateFile(this.name),
      secrets: this.secrets(),
      ...(this.host.dataDevice && { facts: { dataDevice: this.host.dataDevice } }),
      log: (line) => this.logLine(line),
      ...options,
    });
  }

  /** What `pulumi destroy` runs on a server you already have: PLAN's undos, in reverse order. */
  undo(plan: Plan): Promise<StepReport[]> {
    return undoPlan(this.target, plan, { stateFile: stateFile(this.name), log: (line) => this.logLine(line) });
  }

  /** The values of the plan's secrets on this server: its stand-ins for the stack's RandomPasswords. */
  secrets(): Record<string, string> {
    return hostSecrets(stateDir(this.name));
  }

  /** Runs a command on the server as the SSH user, feeding it STDIN. */
  ssh(command: string, stdin?: string): Promise<Result> {
    return ssh(this.target, command, stdin);
  }

  /** Runs a command on the server; fails with its output unless it exits 0. */
  async run(command: string, stdin?: string): Promise<string> {
    const result = await this.ssh(command, stdin);
    if (result.code !== 0) throw new Error(`${this.name}: \`${command}\` exited ${result.code}:\n${result.output}`);
    return result.output.trim();
  }

  /** The release id the app's health check answers with, through PLAN's socket on the server. */
  async serving(plan: Plan): Promise<string> {
    const out = await this.run(
      `sudo curl -fsS --unix-socket ${plan.layout.services[0].socket} http://localhost/-/health`,
    );
    return (JSON.parse(out) as { release: string }).release;
  }

  /** ROUTE on the server, from outside (this machine). */
  url(route = "/"): string {
    return `http://${this.host.address}${route}`;
  }

  /** Removes the key file of configure(); the server stays up. */
  close(): void {
    this.removeKey();
    this.removeKey = () => undefined;
  }

  /** Removes the server and every trace of it (local/host.sh down). */
  async destroy(): Promise<void> {
    this.close();
    await down(this.name);
  }
}
