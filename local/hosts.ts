import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";

/** The disposable local servers of local/host.sh, seen from TypeScript. */
export interface LocalHost {
  name: string;
  address: string;
  port: number;
  user: string;
  /** The harness's private key file on this machine. */
  key: string;
  image: Image;
  /**
   * The block device of its data disk in the guest (up with dataDisk), the local EBS volume: the
   * plan's volume step formats it once and mounts it at the data directory.
   */
  dataDevice?: string;
}

/**
 * The local server images (local/root.sh): "debian" is Debian 12 as Debian's cloud images boot;
 * "cloud" is Debian 13 booted through cloud-init the way Ubuntu's cloud images boot on EC2.
 */
export const IMAGES = ["debian", "cloud"] as const;
export type Image = (typeof IMAGES)[number];

export interface UpOptions {
  /** "debian" unless given. */
  image?: Image;
  /** cloud image: a file given to cloud-init as the server's user data. */
  userDataFile?: string;
  /** cloud image: the port that user data puts SSH on (22 unless given). */
  sshPort?: number;
  /** A data disk of its own: the one a down(name, { keepData: true }) kept, or a blank one. */
  dataDisk?: boolean;
}

const hostScript = path.join(__dirname, "host.sh");
const exec = promisify(execFile);

async function hostSh(...args: string[]): Promise<string> {
  // Progress goes to stderr: pass it through so a slow first build shows what it does.
  const child = exec("bash", [hostScript, ...args], { maxBuffer: 16 * 1024 * 1024 });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  return stdout;
}

function parse(stdout: string): LocalHost {
  const values = Object.fromEntries(
    stdout
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  for (const key of ["name", "address", "port", "user", "key", "image"]) {
    if (!values[key]) throw new Error(`local/host.sh printed no ${key}=; its output was:\n${stdout}`);
  }
  return {
    name: values.name,
    address: values.address,
    port: Number(values.port),
    user: values.user,
    key: values.key,
    image: values.image as Image,
    ...(values.data && { dataDevice: values.data }),
  };
}

/** Boots the server NAME (or finds it running) and returns how to reach it. */
export async function up(name: string, options: UpOptions = {}): Promise<LocalHost> {
  const args = ["up", name, "--image", options.image ?? "debian"];
  if (options.userDataFile) args.push("--user-data", options.userDataFile);
  if (options.sshPort) args.push("--ssh-port", String(options.sshPort));
  if (options.dataDisk) args.push("--data-disk");
  return parse(await hostSh(...args));
}

/**
 * Reserves the addresses of server NAME before it boots (kept by up(), gone with down()): its
 * own, and its gateway, the address of this machine on the server's link.
 */
export async function reserveAddress(name: string): Promise<{ address: string; gateway: string }> {
  const out = await hostSh("address", name);
  const value = (key: string): string => {
    const line = out.split("\n").find((l) => l.startsWith(`${key}=`));
    if (!line) throw new Error(`local/host.sh address printed no ${key}=; its output was:\n${out}`);
    return line.slice(key.length + 1);
  };
  return { address: value("address"), gateway: value("gateway") };
}

/** Removes server NAME; its data disk too, unless keepData (a replacement then gets it back). */
export async function down(name: string, options: { keepData?: boolean } = {}): Promise<void> {
  await hostSh("down", name, ...(options.keepData ? ["--keep-data"] : []));
}

export async function reboot(name: string): Promise<LocalHost> {
  return parse(await hostSh("reboot", name));
}

/** Where the local driver keeps its state of server NAME (triggers, secrets); gone with the server. */
export function stateDir(name: string): string {
  return `/var/lib/hbnb-stack/hosts/${name}`;
}

/** The triggers of the steps that ran on NAME. */
export function stateFile(name: string): string {
  return `${stateDir(name)}/plan-state.json`;
}

/**
 * The network namespace server NAME boots in (local/net.sh names it): `ip netns exec` it, and a
 * program on this machine sends from the server's address, as another client on the internet.
 */
export function netnsOf(name: string): string {
  return `hbnb-${name}`;
}
