/* global process, console, setTimeout */
// Runs on the machine that runs `pulumi up` (a command.local.Command, before the first SSH step):
// waits, for a bounded time, until the server's SSH port answers with an SSH banner, and otherwise
// fails with the likely causes. pulumi-command's own dial either waits forever (dialErrorLimit -1)
// or gives up after a few tries with only "i/o timeout", which names none of them.
//
// Environment (set by components/deploy.ts):
//   HBNB_PROBE_HOST, HBNB_PROBE_PORT  where SSH should answer
//   HBNB_PROBE_SECONDS                how long to keep trying (a new instance is still booting)
//   HBNB_PROBE_CAUSES                 JSON list of the likely causes, worded for this stack
import * as net from "node:net";

const host = process.env.HBNB_PROBE_HOST;
const port = Number(process.env.HBNB_PROBE_PORT);
const seconds = Number(process.env.HBNB_PROBE_SECONDS);
const causes = JSON.parse(process.env.HBNB_PROBE_CAUSES ?? "[]");
// One attempt: connect, then read the server's first line; each part bounded by this.
const ATTEMPT_MS = 10000;
// Between attempts: a booting server is not worth hammering.
const PAUSE_MS = 5000;

/** Resolves with the SSH banner, or rejects with why there was none. */
function attempt(timeoutMs) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = "";
    const done = (error, banner) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(banner);
    };
    socket.setTimeout(timeoutMs, () =>
      done(new Error(received ? "no SSH banner" : "no answer (the packets are dropped: a firewall, or no route)")),
    );
    socket.on("error", (error) =>
      done(new Error(error.code === "ECONNREFUSED" ? "connection refused" : error.message)),
    );
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      const line = received.split(/\r?\n/)[0];
      if (received.includes("\n") || received.length >= 255) {
        if (line.startsWith("SSH-")) done(undefined, line.trim());
        else done(new Error(`something answers, but not SSH (it said ${JSON.stringify(line.slice(0, 40))})`));
      }
    });
  });
}

const deadline = Date.now() + seconds * 1000;
let lastError = "no attempt";
for (;;) {
  const left = deadline - Date.now();
  try {
    const banner = await attempt(Math.max(1000, Math.min(ATTEMPT_MS, left)));
    console.log(`reachable: ${host}:${port} answers SSH (${banner})`);
    process.exit(0);
  } catch (error) {
    lastError = error.message;
    console.log(`waiting: ${host}:${port}: ${lastError}`);
  }
  if (Date.now() + PAUSE_MS > deadline) break;
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
}
console.error(
  [
    `SSH at ${host}:${port} did not answer within ${seconds} s (last attempt: ${lastError}). Likely causes:`,
    ...causes.map((cause) => `  - ${cause}`),
  ].join("\n"),
);
process.exit(1);
