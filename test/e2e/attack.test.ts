import { execFile } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { holdSlowBodies } from "../../bench/slow-bodies";
import { down, netnsOf, up } from "../../local/hosts";
import { alone, busy, inEachTest } from "./alone";
import { json, TestServer } from "./server";
import { until } from "./wait";

/**
 * Holding up under attack: what an attacker on the internet sends, from an address of its own
 * (the network namespace of a second local host, which is booted but serves nothing), while a
 * visitor uses the site from this machine, another address.
 */
jest.setTimeout(10 * 60_000);
const server = new TestServer("hbnb-e2e-attack");
// Prefixed as the server's name is (HBNB_E2E_PREFIX, see TestServer).
const ATTACKER = server.name.replace(/-attack$/, "-attacker");
const run = promisify(execFile);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-attack-"));

beforeAll(async () => {
  await Promise.all([busy(() => up(ATTACKER)), server.create().then(() => server.deploy())]);
});
afterAll(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  await Promise.all([server.destroy(), down(ATTACKER)]);
});
// Each test floods the server or holds its connections, and judges what a visitor gets meanwhile.
inEachTest(alone);

/** Runs a command on this machine inside the attacker's network namespace (local/net.sh names it). */
const fromAttacker = (command: string, args: string[]) =>
  run("ip", ["netns", "exec", netnsOf(ATTACKER), command, ...args], { maxBuffer: 64 * 1024 * 1024 });

/** POSTs of BODY to places_search from the attacker, COUNT at once: each answer's status and body. */
async function attackerSearches(body: string, count: number): Promise<{ status: number; body: string }[]> {
  const dir = fs.mkdtempSync(path.join(work, "search-"));
  fs.writeFileSync(path.join(dir, "body.json"), body);
  const url = `http://${server.host.address}/api/v1/places_search`;
  const args = ["-sS", "--parallel", "--parallel-immediate", "--parallel-max", String(count)];
  for (let i = 0; i < count; i++) {
    args.push("-H", "Content-Type: application/json", "--data-binary", `@${dir}/body.json`);
    args.push("-o", `${dir}/answer-${i}`, "-w", `%{http_code} answer-${i}\n`, url);
    if (i < count - 1) args.push("--next");
  }
  const { stdout } = await fromAttacker("curl", args);
  // Transfers end in any order: each line names the file its body went to.
  return stdout
    .trim()
    .split("\n")
    .map((line) => line.split(" "))
    .sort((a, b) => a[1].localeCompare(b[1]))
    .map(([status, file]) => ({ status: Number(status), body: fs.readFileSync(path.join(dir, file), "utf8") }));
}

/** COUNT slow bodies the attacker holds to ROUTE for SECONDS (bench/slow-bodies.ts). */
function slowBodies(count: number, seconds: number, route?: string) {
  const held = holdSlowBodies({ netns: netnsOf(ATTACKER), host: server.host.address, count, seconds, route });
  return {
    ...held,
    opened: () => until("the attacker opens its connections", 60, () => held.lines.some((l) => l.startsWith("open "))),
  };
}

/** The attacker's request to ROUTE (a POST of BODY, if given), asked until it is refused or 20 times, 0.5 s apart. */
async function attackerUntilRefused(route: string, body?: string): Promise<{ status: number; body: string }> {
  const args = ["-sS", "-w", "\\n%{http_code}", `http://${server.host.address}${route}`];
  if (body !== undefined) args.push("-H", "Content-Type: application/json", "--data-binary", body);
  let answer = { status: 0, body: "" };
  for (let i = 0; i < 20 && answer.status !== 429; i++) {
    const { stdout } = await fromAttacker("curl", args);
    const at = stdout.lastIndexOf("\n");
    answer = { body: stdout.slice(0, at), status: Number(stdout.slice(at + 1)) };
    if (answer.status !== 429) await new Promise((r) => setTimeout(r, 500));
  }
  return answer;
}

const TOO_MANY = { status: 429, body: '{"error": "Too many requests"}\n' };

describe("bounded work per request", () => {
  test("a search of 40,000 amenity ids is refused at once, in JSON", async () => {
    const ids = Array.from({ length: 40_000 }, (_, i) => `a${i}`);
    const [answer] = await attackerSearches(JSON.stringify({ amenities: ids }), 1);
    expect(answer).toEqual({ status: 400, body: '{"error":"amenities may list at most 1000 ids"}\n' });
  });

  test("ten searches of 1,000 ids at once are each answered or refused in JSON, and a visitor meanwhile is served", async () => {
    const ids = Array.from({ length: 1_000 }, (_, i) => `amenity-${i}`);
    const searches = attackerSearches(JSON.stringify({ amenities: ids }), 10);
    const visitor = await Promise.all([server.http("/"), server.http("/api/v1/status")]);
    expect(visitor.map((r) => r.status)).toEqual([200, 200]);
    const answers = await searches;
    expect(answers.filter((a) => a.status === 200 && a.body === "[]\n").length).toBeGreaterThan(0);
    expect(answers.filter((a) => !(a.status === 200 && a.body === "[]\n") && !(a.status === 429))).toEqual([]);
    for (const refused of answers.filter((a) => a.status === 429)) expect(refused).toEqual(TOO_MANY);
  });

  test("one address has at most 2 searches in progress (3 workers): its third is a 429 in JSON, another address's is answered", async () => {
    // Two searches whose bodies arrive a byte every 4 s: in progress for as long as the test.
    const held = slowBodies(2, 120, "/api/v1/places_search");
    try {
      await held.opened();
      expect(held.lines).toContain("open 2");
      expect(await attackerUntilRefused("/api/v1/places_search", "{}")).toEqual(TOO_MANY);
      const visitor = await server.http("/api/v1/places_search", json({}));
      expect(visitor.status).toBe(200);
    } finally {
      await held.stop();
    }
    expect(held.lines).toContain("closed");
    // Its searches end, and the attacker may search again.
    await until("the attacker's search is answered again", 30, async () => {
      const { stdout } = await fromAttacker("curl", [
        "-sS",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        "{}",
        `http://${server.host.address}/api/v1/places_search`,
      ]);
      return stdout === "200";
    });
  });
});

describe("one address cannot take every connection", () => {
  test("while one address holds 2,000 slow bodies for 30 s, its next request is a 429 in JSON, and another address gets every answer", async () => {
    const held = slowBodies(2000, 30);
    try {
      await held.opened();
      expect(held.lines).toContain("open 2000");
      // Nginx counts a request once it has read its headers: asked until it has counted 100 of
      // them. The hello route has no request budget of its own.
      expect(await attackerUntilRefused("/airbnb-onepage/")).toEqual(TOO_MANY);
      // This machine is another address: while the attacker holds its connections (until it
      // prints "closed"), every kind of request is answered, four a second (within the API's
      // budget of this address), 80 of each at most.
      const routes = ["/", "/api/v1/status", "/static/styles/common.css", "/airbnb-onepage/"];
      const answers: string[] = [];
      for (let round = 0; round < 80 && !held.lines.includes("closed"); round++) {
        for (const route of routes) answers.push(`${route} ${(await server.http(route)).status}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(answers.length).toBeGreaterThanOrEqual(routes.length * 20);
      expect(answers.filter((a) => !a.endsWith(" 200"))).toEqual([]);
    } finally {
      await held.stop();
    }
    expect(held.lines).toContain("closed");
  });
});

describe("who may write", () => {
  test("a write with no token, or from another site's page, changes nothing; with the token it does", async () => {
    const state = JSON.parse((await server.http("/api/v1/states")).body)[0] as { id: string; name: string };
    const asEvil = { Origin: "https://evil.example", Authorization: "" };
    const deleted = await server.http(`/api/v1/states/${state.id}`, { method: "DELETE", headers: asEvil });
    expect([deleted.status, JSON.parse(deleted.body)]).toEqual([
      401,
      { error: "Unauthorized: send the API token as Authorization: Bearer <token>" },
    ]);
    // A browser asks before it sends a cross-origin DELETE: the answer lists no method to allow.
    const preflight = await server.http(`/api/v1/states/${state.id}`, {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "DELETE", Authorization: "" },
    });
    expect(preflight.headers.get("access-control-allow-methods")).toBeNull();
    expect((await server.http(`/api/v1/states/${state.id}`)).status).toBe(200);
    // Nor are the users and their emails public.
    expect((await server.http("/api/v1/users")).status).toBe(401);
    // The operator, with the token: the same DELETE goes through (the state is put back after).
    const renamed = await server.http(`/api/v1/states/${state.id}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: `${state.name}!` }),
    });
    expect(JSON.parse(renamed.body)).toMatchObject({ name: `${state.name}!` });
    await server.http(`/api/v1/states/${state.id}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: state.name }),
    });
  });
});

describe("the page's cache", () => {
  test("a query string is the same page from the same entry", async () => {
    const plain = await server.http("/");
    const first = await server.http(`/?b=${Date.now()}`);
    const second = await server.http(`/?b=${Date.now() + 1}`);
    expect([first.status, second.status, second.headers.get("x-cache-status")]).toEqual([200, 200, "HIT"]);
    expect(second.body).toBe(plain.body);
  });

  test("nor the number pages': their query strings are ignored too", async () => {
    const first = await server.http(`/number_odd_or_even/12?b=${Date.now()}`);
    const second = await server.http(`/number_odd_or_even/12?b=${Date.now() + 1}`);
    expect([first.status, second.status, second.headers.get("x-cache-status")]).toEqual([200, 200, "HIT"]);
  });

  test("20,000 distinct pages from one address are all answered, and the cache comes back within its size", async () => {
    // Each number is a page and an entry of its own, at least one 4 KB block on disk: 20,000 of
    // them are more than the 64 MB hold (16,384). Nginx's cache manager drops the least recently
    // used ones once the cache is over its size (checked at least every 10 s), and its keys zone
    // holds far more entries than that, so no request ever fails for want of a key (with a
    // keys zone of 1 MB, two of 10,000 answered 500).
    const { cacheDir } = server.plan.layout;
    const config = Array.from(
      { length: 20_000 },
      (_, i) => `url = "http://${server.host.address}/number_odd_or_even/${100_000 + i}"\noutput = "/dev/null"`,
    );
    const file = path.join(work, "pages.curl");
    fs.writeFileSync(file, config.join("\n") + "\n");
    const { stdout } = await fromAttacker("curl", [
      "-sS",
      "--parallel",
      "--parallel-max",
      "50",
      "-w",
      "%{http_code}\\n",
      "-K",
      file,
    ]);
    const codes = stdout.trim().split("\n");
    expect([codes.length, codes.filter((c) => c !== "200")]).toEqual([20_000, []]);
    // The answers' files and the disk blocks they take (%b: 512-byte blocks), as Nginx counts
    // them (its 4,112 directories are not counted).
    const usage = async () =>
      (
        await server.sh(
          `sudo find ${cacheDir} -type f -printf '%b\\n' | awk '{ n++; b += $1 } END { print n; print b * 512 }'`,
        )
      ).out
        .split("\n")
        .map(Number);
    // The manager trims from the loader's first pass on (a minute after Nginx started).
    await until("the cache is back within 64 MB", 120, async () => (await usage())[1] <= 64 * 2 ** 20);
    const [files] = await usage();
    expect(files).toBeLessThan(20_000);
  });

  test("a compressed answer says Vary: Accept-Encoding", async () => {
    const page = await server.http("/", { headers: { "Accept-Encoding": "gzip" } });
    expect([page.headers.get("content-encoding"), page.headers.get("vary")]).toEqual([
      "gzip",
      expect.stringMatching(/Accept-Encoding/),
    ]);
  });

  test.each<[number, string, string[]]>([
    // 6,000 bytes: more than Nginx's default 4 KB proxy buffer, which must hold the key with
    // the answer's headers; 9,000: more than the stack lets into a key.
    [550, "is cached", ["MISS", "HIT"]],
    [820, "is answered uncached", ["BYPASS", "BYPASS"]],
  ])("a search of %i ids (a body over 4 KB) %s, and Nginx logs no error for it", async (count, _, statuses) => {
    const body = JSON.stringify({ amenities: Array.from({ length: count }, (_, i) => `long-${i}`) });
    const before = (await server.sh("sudo wc -l < /var/log/nginx/error.log")).out;
    const search = () =>
      server.http("/api/v1/places_search", { method: "POST", headers: { "Content-Type": "application/json" }, body });
    const answers = [await search(), await search()];
    expect(answers.map((a) => [a.status, a.body, a.headers.get("x-cache-status")])).toEqual(
      statuses.map((status) => [200, "[]\n", status]),
    );
    const log = (await server.sh(`sudo tail -n +$((${before} + 1)) /var/log/nginx/error.log`)).out;
    expect([body.length > 5_500, log]).toEqual([true, ""]);
  });
});

/** One raw HTTP exchange (for requests fetch() will not send): the head of the answer. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: server.host.address, port: 80 });
    let answer = "";
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer in 10 s")));
    // Not half-closed: Nginx takes a client that closes its side for one that left (499).
    socket.on("connect", () => socket.write(request));
    socket.on("data", (chunk) => (answer += chunk.toString()));
    socket.on("end", () => resolve(answer.split("\r\n\r\n")[0]));
    socket.on("error", reject);
  });
}

describe("redirects and errors name nothing of the server", () => {
  test.each([
    [
      "a doubled slash, another Host",
      "GET /api/v1//states HTTP/1.1\r\nHost: evil.example:8080\r\nConnection: close\r\n\r\n",
    ],
    ["a doubled slash, HTTP/1.0 with no Host", "GET /api/v1//states HTTP/1.0\r\n\r\n"],
    [
      "a directory without its slash, another Host",
      "GET /api HTTP/1.1\r\nHost: evil.example:8080\r\nConnection: close\r\n\r\n",
    ],
    ["a directory without its slash, HTTP/1.0 with no Host", "GET /static HTTP/1.0\r\n\r\n"],
  ])("%s: no Location names a host, a port, an address or the socket", async (_, request) => {
    const head = await raw(request);
    expect(head).toMatch(/^HTTP\/1\.1 [34]\d\d /);
    const location = /^Location: (.*)$/im.exec(head)?.[1];
    if (location !== undefined) expect(location).toMatch(/^\/[^/]/);
    expect(head).not.toMatch(/evil\.example|gunicorn\.sock|127\.0\.0\.1|:8080/);
  });

  test("a request line Gunicorn once refused (5,000 bytes) reaches the app; one longer than Nginx takes is a 414 in JSON", async () => {
    const long = await server.http(`/api/v1/${"a".repeat(5_000)}`);
    expect([long.status, long.body]).toEqual([404, '{"error":"Not found"}\n']);
    const tooLong = await server.http(`/api/v1/${"a".repeat(9_000)}`);
    expect([tooLong.status, tooLong.body]).toEqual([414, '{"error": "Request line too long"}\n']);
  });

  test("X-Forwarded-Ssl from a client does not contradict the scheme", async () => {
    const answer = await server.http("/api/v1/stats", { headers: { "X-Forwarded-Ssl": "on" } });
    expect(answer.status).toBe(200);
  });

  test("the app's access log names the client's address", async () => {
    await server.http("/api/v1/stats?client-address-check");
    const line = (await server.sh(`sudo grep -F 'client-address-check' ${server.settings.app.logDir}/access.log`)).out;
    // This machine's address on the server's link: the gateway of its /30 (local/net.sh).
    const [a, b, c, d] = server.host.address.split(".").map(Number);
    expect(line.split(" ")[0]).toBe(`${a}.${b}.${c}.${d - 1}`);
  });
});
