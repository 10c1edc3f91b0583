import { spawn } from "child_process";
import * as net from "net";
import * as path from "path";
import { PROBE_COMMAND } from "../../components/deploy";

/**
 * The reachability probe, run as pulumi-command's local provider runs it on Linux and macOS
 * (provider/pkg/provider/local/commandOutputs.go: `/bin/sh -c <create>`, in the provider's working
 * directory, which the engine sets to the project's: pulumi sdk/go/common/resource/plugin/plugin.go),
 * against servers on loopback.
 */
const root = path.join(__dirname, "..", "..");
const CAUSES = ["your address is not in adminCidrs", "sshd does not listen on sshPort"];

function probe(
  port: number,
  seconds: number,
  onOutput: (stdout: string) => void = () => undefined,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", PROBE_COMMAND], {
      cwd: root,
      env: {
        ...process.env,
        HBNB_PROBE_HOST: "127.0.0.1",
        HBNB_PROBE_PORT: String(port),
        HBNB_PROBE_SECONDS: String(seconds),
        HBNB_PROBE_CAUSES: JSON.stringify(CAUSES),
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      onOutput(stdout);
    });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A loopback server that greets each client with `greeting`. */
function server(greeting: string, port = 0): Promise<net.Server> {
  return new Promise((resolve) => {
    const s = net.createServer((socket) => socket.end(greeting));
    s.listen(port, "127.0.0.1", () => resolve(s));
  });
}
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;
const close = (s: net.Server) => new Promise((resolve) => s.close(resolve));

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const s = await server("");
  const port = portOf(s);
  await close(s);
  return port;
}

test("an SSH server answers: the probe succeeds and says what answered", async () => {
  const s = await server("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n");
  const port = portOf(s);
  const result = await probe(port, 30);
  await close(s);
  expect(result).toEqual({
    code: 0,
    stdout: `reachable: 127.0.0.1:${port} answers SSH (SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13)\n`,
    stderr: "",
  });
});

test("nothing listens: after its bound the probe fails, naming the likely causes", async () => {
  const port = await closedPort();
  const result = await probe(port, 1);
  expect(result).toEqual({
    code: 1,
    stdout: `waiting: 127.0.0.1:${port}: connection refused\n`,
    stderr: [
      `SSH at 127.0.0.1:${port} did not answer within 1 s (last attempt: connection refused). Likely causes:`,
      "  - your address is not in adminCidrs",
      "  - sshd does not listen on sshPort",
      "",
    ].join("\n"),
  });
});

test("something else answers on the port: the probe says it is not SSH", async () => {
  const s = await server("HTTP/1.1 400 Bad Request\r\n\r\n");
  const port = portOf(s);
  const result = await probe(port, 1);
  await close(s);
  expect(result.code).toBe(1);
  expect(result.stderr.split("\n")[0]).toBe(
    `SSH at 127.0.0.1:${port} did not answer within 1 s (last attempt: something answers, but not SSH (it said "HTTP/1.1 400 Bad Request")). Likely causes:`,
  );
});

test("a server that comes up while the probe waits is found", async () => {
  const port = await closedPort();
  let refused: () => void;
  const firstRefusal = new Promise<void>((resolve) => (refused = resolve));
  const running = probe(port, 120, (stdout) => stdout.includes("connection refused") && refused());
  // SSH comes up once the probe has been refused, while it pauses before its next attempt.
  await firstRefusal;
  const s = await server("SSH-2.0-OpenSSH_10.0\r\n", port);
  const result = await running;
  await close(s);
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(
    `waiting: 127.0.0.1:${port}: connection refused\nreachable: 127.0.0.1:${port} answers SSH (SSH-2.0-OpenSSH_10.0)\n`,
  );
}, 150000);
