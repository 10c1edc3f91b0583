import * as net from "net";
import { ssh } from "../../local/ssh";
import { TestServer } from "./server";
import { until } from "./wait";

/** Runs a script as root on the server; fails the test with its output if it fails. */
export async function asRoot(server: TestServer, script: string): Promise<string> {
  const result = await ssh(server.target, "sudo bash -s", `set -euo pipefail\n${script}`);
  if (result.code !== 0) throw new Error(`script failed on the server:\n${script}\n${result.output}`);
  return result.output.trim();
}

/** The local addresses listening for TCP on the server, with the processes behind them, by port. */
export async function listening(server: TestServer): Promise<Map<number, string[]>> {
  const out = await asRoot(server, "ss -Htlnp");
  const ports = new Map<number, string[]>();
  for (const line of out.split("\n").filter(Boolean)) {
    const [, , , local, , users = ""] = line.split(/\s+/);
    const port = Number(local.slice(local.lastIndexOf(":") + 1));
    ports.set(port, [...(ports.get(port) ?? []), `${local} ${users}`]);
  }
  return ports;
}

/** How a TCP connection to PORT from outside ends: "connected", or the error code (ECONNREFUSED). */
export function connectOutcome(server: TestServer, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: server.host.address, port });
    const done = (outcome: string): void => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done("timeout"));
    socket.on("connect", () => done("connected"));
    socket.on("error", (error: NodeJS.ErrnoException) => done(error.code ?? String(error)));
  });
}

/**
 * Waits until UNIT (apt-daily or apt-daily-upgrade) has run during this boot and finished: the
 * cloud image starts both shortly after every boot, as a cloud server's overdue timers do.
 */
export async function ranThisBoot(server: TestServer, unit: string, seconds = 300): Promise<void> {
  await until(`${unit} runs and finishes after the boot`, seconds, async () => {
    // KEY=VALUE lines, in the unit's order of properties (not the order asked for).
    const { out } = await server.sh(`systemctl show -p ActiveState -p ExecMainExitTimestampMonotonic ${unit}.service`);
    const shown = Object.fromEntries(out.split("\n").map((line) => line.split("=", 2)));
    const [state, exited] = [shown.ActiveState, shown.ExecMainExitTimestampMonotonic];
    return state === "inactive" && Number(exited) > 0;
  });
}
