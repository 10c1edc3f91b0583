import { ChildProcess, execFile, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { down, netnsOf, reserveAddress } from "./hosts";

/**
 * Let's Encrypt's test ACME server, Debian's `pebble` (for the e2e tests and the benchmarks), with its DNS stand-in
 * `pebble-challtestsrv`, in a network namespace of its own that the test makes: an address of
 * the local hosts' range (reserved through local/host.sh, so no other host takes it), reached
 * from the servers and from this machine through a veth to this machine, which forwards
 * between the hosts' links (local/net.sh). Pebble validates HTTP-01 challenges by fetching
 * http://<name>/.well-known/acme-challenge/<token> from the address its DNS gives for the name:
 * from here, over the network, as Let's Encrypt does from the internet.
 */
const run = promisify(execFile);

/** Pebble's directory and management API ports (its defaults). */
const DIRECTORY_PORT = 14000;
const MANAGEMENT_PORT = 15000;
/** pebble-challtestsrv's DNS and management ports, on the namespace's loopback only. */
const DNS = "127.0.0.1:8053";
const CHALLTESTSRV = "http://127.0.0.1:8055";

export class Pebble {
  address = "";
  /** The CA that signed Pebble's own HTTPS certificate (made here): what certbot must trust. */
  tlsCa = "";
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-pebble-"));
  private readonly processes: ChildProcess[] = [];
  private veth = "";
  readonly log: string[] = [];

  /** NAME: a local host name (its prefix rules apply), whose address the namespace takes. */
  constructor(readonly name: string) {}

  get netns(): string {
    return netnsOf(this.name);
  }

  /** The ACME directory URL. */
  get directory(): string {
    return `https://${this.address}:${DIRECTORY_PORT}/dir`;
  }

  /** Runs a command on this machine inside Pebble's namespace. */
  exec(command: string, args: string[]) {
    return run("ip", ["netns", "exec", this.netns, command, ...args]);
  }

  /**
   * Makes the namespace and starts the DNS stand-in, whose A records answer ADDRESS (the
   * server's) for every name unless told otherwise (no AAAA: the server has no public IPv6),
   * and Pebble itself, which asks it.
   */
  async start(address: string): Promise<void> {
    await down(this.name);
    const { address: own, gateway } = await reserveAddress(this.name);
    this.address = own;
    // Named by the gateway's address: unique while the reservation holds, and within the 15
    // bytes of an interface name.
    this.veth = `hbnb-a${gateway.split(".").slice(2).join("-")}`;
    await run("ip", ["netns", "add", this.netns]);
    await run("ip", ["link", "add", this.veth, "type", "veth", "peer", "name", "eth0", "netns", this.netns]);
    await run("ip", ["addr", "add", `${gateway}/30`, "dev", this.veth]);
    await run("ip", ["link", "set", this.veth, "up"]);
    await this.exec("ip", ["addr", "add", `${own}/30`, "dev", "eth0"]);
    await this.exec("ip", ["link", "set", "eth0", "up"]);
    await this.exec("ip", ["link", "set", "lo", "up"]);
    await this.exec("ip", ["route", "add", "default", "via", gateway]);
    this.makeTlsCertificate();
    fs.writeFileSync(
      path.join(this.dir, "pebble.json"),
      JSON.stringify({
        pebble: {
          listenAddress: `0.0.0.0:${DIRECTORY_PORT}`,
          managementListenAddress: `0.0.0.0:${MANAGEMENT_PORT}`,
          certificate: path.join(this.dir, "pebble.pem"),
          privateKey: path.join(this.dir, "pebble.key"),
          // The port HTTP-01 (and TLS-ALPN-01) challenges are fetched on: the real ones.
          httpPort: 80,
          tlsPort: 443,
          // Certificates name an OCSP responder, as Let's Encrypt's did until 2025: the
          // certificate step then turns on OCSP stapling, and testssl.sh sees a way to
          // revocation. (Nothing answers there: Nginx staples nothing.)
          ocspResponderURL: `http://${own}:4002/`,
          externalAccountBindingRequired: false,
        },
      }),
    );
    this.spawn("pebble-challtestsrv", [
      ...["-defaultIPv4", address, "-defaultIPv6", ""],
      ...["-dns01", DNS, "-management", CHALLTESTSRV.replace("http://", "")],
      ...["-http01", "", "-https01", "", "-tlsalpn01", ""],
    ]);
    this.spawn("pebble", ["-config", path.join(this.dir, "pebble.json"), "-dnsserver", DNS], {
      // Deterministic and fast: no random sleep before a validation, no nonce refused at random,
      // and every order is proven by a challenge of its own (no authorization reused).
      PEBBLE_VA_NOSLEEP: "1",
      PEBBLE_WFE_NONCEREJECT: "0",
      PEBBLE_AUTHZREUSE: "0",
    });
    // Up within seconds; 30 s is a generous bound, not a target.
    for (let tries = 0; ; tries++) {
      const up = await this.exec("curl", ["-fsS", "--cacert", this.caFile, this.directory]).then(
        () => true,
        () => false,
      );
      if (up) break;
      if (tries === 150)
        throw new Error(`Pebble did not answer at ${this.directory} within 30 s:\n${this.log.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private get caFile(): string {
    return path.join(this.dir, "ca.pem");
  }

  /** A CA of the test's own, and Pebble's certificate for its address, signed by it. */
  private makeTlsCertificate(): void {
    const at = (file: string) => path.join(this.dir, file);
    const openssl = (...args: string[]) => spawnSyncChecked("openssl", args);
    openssl(
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"],
      ...["-subj", "/CN=hbnb-stack test ACME CA", "-keyout", at("ca.key"), "-out", at("ca.pem")],
    );
    openssl(
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"],
      ...["-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-subj", "/CN=pebble"],
      ...["-addext", `subjectAltName=IP:${this.address}`, "-addext", "basicConstraints=critical,CA:FALSE"],
      ...["-keyout", at("pebble.key"), "-out", at("pebble.pem")],
    );
    this.tlsCa = fs.readFileSync(at("ca.pem"), "utf8");
  }

  private spawn(command: string, args: string[], env: Record<string, string> = {}): void {
    const child = spawn("ip", ["netns", "exec", this.netns, command, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [child.stdout, child.stderr])
      stream.on("data", (chunk: Buffer) => this.log.push(...chunk.toString().trimEnd().split("\n")));
    this.processes.push(child);
  }

  /** Pebble's root of the certificates it issues (it makes a new one at each start). */
  async root(): Promise<string> {
    const url = `https://${this.address}:${MANAGEMENT_PORT}/roots/0`;
    const { stdout } = await run("curl", ["-fsS", "--cacert", this.caFile, url]);
    return stdout;
  }

  /** Points NAME at ADDRESS in the DNS stand-in (A record). */
  async pointAt(name: string, address: string): Promise<void> {
    const body = JSON.stringify({ host: `${name}.`, addresses: [address] });
    await this.exec("curl", ["-fsS", "-d", body, `${CHALLTESTSRV}/add-a`]);
  }

  /** Stops Pebble and its DNS, and removes the namespace and the reservation. */
  async stop(): Promise<void> {
    for (const child of this.processes) child.kill("SIGTERM");
    await Promise.all(
      this.processes.filter((c) => c.exitCode === null).map((c) => new Promise((r) => c.once("exit", r))),
    );
    if (this.veth) await run("ip", ["link", "delete", this.veth]).catch(() => undefined);
    await down(this.name);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function spawnSyncChecked(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
}
