import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { Pebble } from "../../local/pebble";
import { TestServer } from "./server";
import { expectNoFailure, failure, underLoad } from "./wait";

/**
 * HTTPS from a real ACME server: Pebble (Let's Encrypt's test server, Debian's package) in a
 * network namespace of its own issues the certificate over a real HTTP-01 challenge, which it
 * fetches from the server's running Nginx. One server: a name Pebble's DNS does not point at it
 * first (the deploy fails, plain HTTP serves), then the name that does, then a forced renewal
 * under load.
 */
jest.setTimeout(10 * 60_000);
const server = new TestServer("hbnb-e2e-https");
const pebble = new Pebble(server.name.replace(/-https$/, "-acme"));
// Names of the test's own top-level domain: only Pebble's DNS knows them.
const DOMAIN = `${server.name}.test`;
const ELSEWHERE = `elsewhere.${server.name}.test`;
const run = promisify(execFile);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-https-"));
const pebbleRoot = path.join(work, "pebble-root.pem");

const settingsFor = (domain: string) => ({
  domain,
  acmeEmail: `webmaster@${DOMAIN}`,
  acmeServer: pebble.directory,
  acmeCaBundle: pebble.tlsCa,
});

/** curl from this machine to the server, DOMAIN resolved to its address, verifying against Pebble's root. */
async function curl(url: string, ...args: string[]): Promise<string> {
  const resolve = [
    "--resolve",
    `${DOMAIN}:443:${server.host.address}`,
    "--resolve",
    `${DOMAIN}:80:${server.host.address}`,
  ];
  const { stdout } = await run("curl", ["-sS", "--cacert", pebbleRoot, ...resolve, ...args, url]);
  return stdout;
}

/** The certificate the server presents for DOMAIN: its issuer and serial. */
async function served(): Promise<{ issuer: string; serial: string }> {
  const { stdout } = await run("sh", [
    "-c",
    `openssl s_client -connect ${server.host.address}:443 -servername ${DOMAIN} </dev/null 2>/dev/null | openssl x509 -noout -issuer -serial`,
  ]);
  return {
    issuer: /^issuer=(.*)$/m.exec(stdout)![1].trim(),
    serial: /^serial=(.*)$/m.exec(stdout)![1].trim(),
  };
}

beforeAll(async () => {
  await server.create();
  await pebble.start(server.host.address);
});
afterAll(async () => {
  fs.writeFileSync(path.join(work, "pebble.log"), pebble.log.join("\n"));
  await Promise.all([server.destroy(), pebble.stop()]);
  fs.rmSync(work, { recursive: true, force: true });
});

test("a name that does not point at the server: the deploy stops at the certificate step with the name and the ACME error, and the site serves plain HTTP", async () => {
  // Pebble's DNS sends the name to Pebble's own address, where nothing listens on port 80.
  await pebble.pointAt(ELSEWHERE, pebble.address);
  server.configure(settingsFor(ELSEWHERE));
  const failed = await failure(server.deploy(server.planOf()));
  expect(failed.step).toBe("certificate");
  expect(failed.message).toContain(`no certificate for ${ELSEWHERE} from ${pebble.directory}`);
  expect(failed.message).toMatch(
    new RegExp(`Domain: ${ELSEWHERE.replace(/\./g, "\\.")} Type: connection Detail: .*connection refused`),
  );
  // Every step before it ran: the app serves, over plain HTTP, and nothing listens on 443.
  const page = await server.http("/");
  expect(page.status).toBe(200);
  expect(page.headers.get("strict-transport-security")).toBeNull();
  await expect(run("curl", ["-sS", "-k", `https://${server.host.address}/`])).rejects.toThrow(
    /Failed to connect|Connection refused/,
  );
});

describe("the name that points at the server", () => {
  beforeAll(async () => {
    server.configure(settingsFor(DOMAIN));
    await server.deploy(server.planOf());
    fs.writeFileSync(pebbleRoot, await pebble.root());
  });

  test("gets Pebble's certificate over HTTP-01 through the running Nginx, and curl verifies the chain", async () => {
    expect((await served()).issuer).toMatch(/Pebble/);
    // curl checks the chain against Pebble's root and the name against the certificate.
    expect(JSON.parse(await curl(`https://${DOMAIN}/api/v1/status`, "-f"))).toEqual({ status: "OK" });
    // Pebble fetched the challenge from Nginx, from its own address, and got the token's file.
    const log = await server.run("sudo grep -h acme-challenge /var/log/nginx/access.log");
    expect(log).toMatch(
      new RegExp(
        `^${pebble.address.replace(/\./g, "\\.")} .*"GET /\\.well-known/acme-challenge/\\S+ HTTP/1\\.1" 200 `,
        "m",
      ),
    );
  });

  test("plain HTTP redirects to HTTPS, but for the ACME challenges; HSTS on HTTPS answers only; HTTP/2", async () => {
    const redirect = await curl(`http://${DOMAIN}/places?x=1`, "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}");
    expect(redirect).toBe(`301 https://${DOMAIN}/places?x=1`);
    await server.run(
      "sudo sh -c 'mkdir -p /var/www/hbnb-acme/.well-known/acme-challenge && echo token-text > /var/www/hbnb-acme/.well-known/acme-challenge/htl-probe'",
    );
    const challenge = await curl(`http://${DOMAIN}/.well-known/acme-challenge/htl-probe`, "-i");
    expect(challenge).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(challenge).toContain("token-text");
    expect(challenge.toLowerCase()).not.toContain("strict-transport-security");
    const https = await curl(`https://${DOMAIN}/`, "-I", "--http2");
    expect(https).toMatch(/^HTTP\/2 200/);
    expect(https.toLowerCase()).toContain("strict-transport-security: max-age=63072000");
    // A static file's location sets headers of its own: HSTS comes with them.
    const css = await curl(`https://${DOMAIN}/static/styles/common.css`, "-I");
    expect(css.toLowerCase()).toContain("strict-transport-security: max-age=63072000");
  });

  test("testssl.sh finds nothing HIGH or CRITICAL", async () => {
    const json = path.join(work, "testssl.json");
    // The server's address only (--ip, no DNS at all), Pebble's root trusted; protocols,
    // server defaults (certificate), preferences, headers and vulnerabilities.
    await run(
      "testssl",
      [
        ...["--quiet", "--color", "0", "--warnings", "off", "--nodns", "none", "--ip", server.host.address],
        ...["--add-ca", pebbleRoot, "--jsonfile", json, "-p", "-S", "-P", "-h", "-U", `https://${DOMAIN}/`],
      ],
      { maxBuffer: 16 * 1024 * 1024, timeout: 5 * 60_000 },
    ).catch((error: { code?: number }) => {
      // testssl exits with the number of findings it could not run cleanly; the JSON says what.
      if (typeof error.code !== "number") throw error;
    });
    const findings = JSON.parse(fs.readFileSync(json, "utf8")) as { id: string; severity: string; finding: string }[];
    const byId = (id: string) => findings.find((f) => f.id === id)?.finding;
    expect(findings.filter((f) => ["HIGH", "CRITICAL"].includes(f.severity))).toEqual([]);
    expect([byId("TLS1"), byId("TLS1_1"), byId("TLS1_2"), byId("TLS1_3")]).toEqual([
      "not offered",
      "not offered",
      "offered",
      "offered with final",
    ]);
    expect(byId("cert_chain_of_trust")).toMatch(/passed/);
  });

  test("a forced renewal under load fails no request: a new certificate, and Nginx reloaded gracefully by the deploy hook", async () => {
    const before = await served();
    const master = await server.run("cat /run/nginx.pid");
    const { loads } = await underLoad(
      server,
      () =>
        server.run(
          "sudo REQUESTS_CA_BUNDLE=/etc/letsencrypt/hbnb-acme-ca.pem certbot renew --force-renewal --no-random-sleep-on-renew",
        ),
      ["/", "/static/styles/common.css"],
      // A connection per request, each with a full handshake. The reload that takes the new
      // certificate makes the old workers close their idle keep-alive connections, and a
      // request the client sends on one at that moment gets no answer: browsers send it again
      // (RFC 9112, 9.3.1), wrk counts it failed (5 of a run with keep-alive, on the page).
      // A connection per request has no such moment: what this measures is the server.
      { base: `https://${server.host.address}`, headers: { Connection: "close" } },
    );
    expectNoFailure(loads);
    const after = await served();
    expect(after.issuer).toBe(before.issuer);
    expect(after.serial).not.toBe(before.serial);
    expect(await server.run("cat /run/nginx.pid")).toBe(master);
    // certbot's timer stays on for the unattended renewals.
    expect(await server.run("systemctl is-enabled certbot.timer")).toBe("enabled");
  });

  test("an unattended renewal that fails (the ACME server unreachable): certbot.service fails, the journal says so, the old certificate serves", async () => {
    const before = await served();
    // certbot's own unit, as its timer starts it, made to renew now (a runtime drop-in); and the
    // ACME server out of the server's reach (a blackhole route to it), as when it is down.
    const dropIn = "/run/systemd/system/certbot.service.d/hbnb-test-force.conf";
    const force =
      "[Service]\nExecStart=\nExecStart=/usr/bin/certbot -q renew --force-renewal --no-random-sleep-on-renew\n";
    await server.run(
      `sudo mkdir -p ${path.dirname(dropIn)} && printf '${force}' | sudo tee ${dropIn} >/dev/null && sudo systemctl daemon-reload && sudo ip route add blackhole ${pebble.address}/32`,
    );
    try {
      const started = await server.sh("sudo systemctl start certbot.service");
      expect(started.code).not.toBe(0);
      expect(await server.run("systemctl is-failed certbot.service || true")).toBe("failed");
      // certbot names the certificate's lineage (the stack's name for it) and the request that failed.
      expect(await server.run("sudo journalctl -u certbot.service --no-pager -o cat")).toMatch(
        new RegExp(`Failed to renew certificate \\S+ with error: Requesting ${pebble.address}`),
      );
    } finally {
      await server.run(
        `sudo ip route del blackhole ${pebble.address}/32; sudo rm -f ${dropIn}; sudo systemctl daemon-reload; sudo systemctl reset-failed certbot.service`,
      );
    }
    expect(await served()).toEqual(before);
    expect(JSON.parse(await curl(`https://${DOMAIN}/api/v1/status`, "-f"))).toEqual({ status: "OK" });
  });

  test("an ACME server that refuses: the deploy stops at the certificate step with its error, and HTTPS serves the certificate it had", async () => {
    const before = await served();
    const refusing = pebble.directory.replace(/\/dir$/, "/no-such-directory");
    server.configure({ ...settingsFor(DOMAIN), acmeServer: refusing });
    const failed = await failure(server.deploy(server.planOf()));
    expect(failed.step).toBe("certificate");
    expect(failed.message).toContain(`no certificate for ${DOMAIN} from ${refusing}`);
    expect(failed.message).toMatch(/404/);
    expect(await served()).toEqual(before);
    expect(JSON.parse(await curl(`https://${DOMAIN}/api/v1/status`, "-f"))).toEqual({ status: "OK" });
    server.configure(settingsFor(DOMAIN));
  });

  test("the step again changes nothing: the certificate is kept, no request to the ACME server", async () => {
    const reports = await server.deploy(server.planOf(), { force: true });
    expect(reports.find((r) => r.step === "certificate")?.output.trim()).toBe("certificate: unchanged");
  });

  test("the undo turns HTTPS off and deletes the certificate; a second undo changes nothing", async () => {
    const plan = server.planOf();
    const reports = await server.undo(plan);
    const undo = reports.find((r) => r.step === "undo-certificate")!.output;
    expect(undo).toContain("undo-certificate: changed: removed /etc/nginx/hbnb-https: HTTPS off");
    expect(undo).toContain("undo-certificate: changed: deleted certificate hbnb and its renewal");
    expect(await server.sh("sudo ls /etc/letsencrypt/renewal; sudo test ! -e /etc/letsencrypt/live/hbnb")).toEqual({
      code: 0,
      out: "",
    });
    await expect(run("curl", ["-sS", "-k", `https://${server.host.address}/`])).rejects.toThrow(
      /Failed to connect|Connection refused/,
    );
    const again = await server.undo(plan);
    expect(again.find((r) => r.step === "undo-certificate")!.output.trim()).toBe("undo-certificate: unchanged");
  });
});
