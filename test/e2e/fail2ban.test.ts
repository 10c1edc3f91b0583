import { execFile } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { promisify } from "util";
import { stateDir } from "../../local/hosts";
import { TestServer } from "./server";
import { until } from "./wait";

/**
 * fail2ban really bans: repeated failed SSH logins from this machine (an address outside the
 * server, on its network link) get that address refused at the server's firewall, and the ban
 * is lifted. On a server of its own, booted from the cloud image (Debian 13, like Ubuntu 24.04:
 * fail2ban 1.1's packaged default bans through nftables, which the package only recommends):
 * while the ban lasts, this machine cannot reach its SSH.
 */
jest.setTimeout(15 * 60_000);
const server = new TestServer("hbnb-e2e-ban");
const run = promisify(execFile);

beforeAll(() => server.create({ image: "cloud" }));
afterAll(() => server.destroy());

/** What a TCP connection to PORT from this machine gets: "connected", or the error's code. */
function connect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: server.host.address, port });
    const done = (result: string): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(5000, () => done("timeout"));
    socket.on("connect", () => done("connected"));
    socket.on("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

/** Runs a command on the server's console, without SSH: in the namespaces of its init (nsenter). */
async function onConsole(...command: string[]): Promise<string> {
  const nspawn = fs.readFileSync(path.join(stateDir(server.name), "nspawn.pid"), "utf8").trim();
  const init = (await run("pgrep", ["-P", nspawn])).stdout.trim();
  return (await run("nsenter", ["-t", init, "-a", "--", ...command])).stdout.trim();
}

/** One SSH login that fails: a user the server does not have, and no way to authenticate. */
async function failedLogin(): Promise<void> {
  const options = ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"];
  const noAuth = ["-o", "PubkeyAuthentication=no", "-o", "PasswordAuthentication=no", "-o", "ConnectTimeout=5"];
  await run("ssh", [...options, ...noAuth, `nosuchuser@${server.host.address}`, "true"]).catch(() => undefined);
}

test("failed SSH logins get this machine's address refused at the firewall, until the ban is lifted", async () => {
  await server.deploy();
  // The packaged default, as the image has it (Debian's changelog of 1.0.2-3: "Add banaction =
  // nftables in the defaults-debian.conf default"): whatever the release's default, the stack's
  // bans must work.
  expect((await server.sh("cat /etc/fail2ban/jail.d/defaults-debian.conf")).out).toMatch(/^banaction = nftables$/m);

  const self = (await server.sh("echo ${SSH_CLIENT%% *}")).out;
  expect(self).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  expect(await connect(22)).toBe("connected");

  for (let i = 0; i < 6; i++) await failedLogin();
  // The stack's ban lasts an hour: nothing here races it.
  await until("SSH refused to this machine", 60, async () => (await connect(22)) === "ECONNREFUSED").catch(
    async (error: Error) => {
      // Not banned, so SSH still works: show why.
      throw new Error(
        `${error.message}; fail2ban.log:\n${(await server.sh("sudo tail -n 15 /var/log/fail2ban.log")).out}`,
      );
    },
  );
  // The ban is the jail's port only: the site still answers this address.
  expect((await server.http("/airbnb-onepage/")).status).toBe(200);

  // The operator lifts it from the server's console (SSH is what is banned).
  expect(await onConsole("fail2ban-client", "set", "sshd", "unbanip", self)).toBe("1");
  await until("SSH accepted again", 60, async () => (await connect(22)) === "connected");
  const status = (await server.sh("sudo fail2ban-client status sshd")).out;
  expect(status).toMatch(/Total banned:\s+1$/m);
  expect(status).toMatch(/Currently banned:\s+0$/m);
  const log = (await server.sh("sudo cat /var/log/fail2ban.log")).out;
  expect(log).toContain(`[sshd] Ban ${self}`);
  expect(log).toContain(`[sshd] Unban ${self}`);
  expect(log).not.toMatch(/ERROR/);
});
