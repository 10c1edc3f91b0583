import { bundle, CLASSIC_FILES, planOf } from "./plan-fixture";

/** The hardening as rendered: what each setting makes of the unit, the site and the host files. */

/** The harden step's files by name, for the deploy's SSH user USER on PORT. */
const hardening = (user = "ubuntu", port = 22) =>
  Object.fromEntries(
    planOf({ sshUser: user, sshPort: String(port) })
      .configFiles.filter((f) => f.step === "harden")
      .map((f) => [f.name, f]),
  );

/** The directive lines of a config after MARKER, each with the comment block it belongs to. */
function directivesWithoutComment(text: string, marker: string): string[] {
  const lines = text.slice(text.indexOf(marker)).split("\n");
  const bare: string[] = [];
  let commented = false;
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("[")) commented = false;
    else if (trimmed.startsWith("#") || trimmed.startsWith("{%")) commented = commented || trimmed.startsWith("#");
    else if (!commented) bare.push(trimmed);
  }
  return bare;
}

describe("the app unit's sandbox", () => {
  const unit = planOf().configs.unit;

  test.each([
    "NoNewPrivileges=yes",
    "CapabilityBoundingSet=",
    "ProtectSystem=strict",
    "ReadWritePaths=/var/lib/hbnb /var/log/hbnb",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "PrivateNetwork=yes",
    "RestrictAddressFamilies=AF_UNIX",
    "SystemCallFilter=@system-service",
    "MemoryDenyWriteExecute=yes",
  ])("has %s", (line) => {
    expect(unit.split("\n")).toContain(line);
  });

  test("every sandbox line sits under a comment that says what it blocks", () => {
    expect(directivesWithoutComment(unit, "# --- Sandbox")).toEqual([]);
  });

  test("a remote database keeps IP, and nothing else of the network", () => {
    const remote = planOf({ databaseUrl: "mysql+mysqldb://u:p@db.example.com/hbnb" }).configs.unit.split("\n");
    expect(remote).toContain("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6");
    expect(remote).not.toContain("PrivateNetwork=yes");
  });

  test("follows the data and log directories", () => {
    const unit = planOf({ dataDir: "/opt/data", logDir: "/opt/logs" }).configs.unit;
    expect(unit.split("\n")).toContain("ReadWritePaths=/opt/data /opt/logs");
  });
});

describe("the Nginx site", () => {
  test("answers any host name, with the security headers, while serverName is _", () => {
    const { site, limits, headers, guards } = planOf().configs;
    expect(site).toMatch(/^ {4}listen 80 default_server;$/m);
    expect(site).not.toContain("return 444");
    expect(site).toMatch(/^ {4}include snippets\/hbnb-guards\.conf;$/m);
    expect(guards).toMatch(/^include snippets\/hbnb-headers\.conf;$/m);
    expect(site).toMatch(/^ {4}server_tokens off;$/m);
    expect(limits).not.toContain("server_tokens");
    expect(limits).toMatch(/^limit_req_zone \$binary_remote_addr zone=hbnb_api:10m rate=10r\/s;$/m);
    for (const header of ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"]) {
      expect(headers).toMatch(new RegExp(`^add_header ${header} ".+" always;$`, "m"));
    }
  });

  test.each([
    ["the bundled app's site", planOf().configs.site, / {4}location /],
    ["the guards of every site", planOf().configs.guards, /^location /m],
    [
      "a classic app's site",
      planOf({ layout: "classic", rewriteClassicUrls: "true" }, { ...bundle, files: CLASSIC_FILES }).configs.site,
      / {4}location /,
    ],
  ])("%s sets the headers again in every location that adds a header of its own", (_, text, location) => {
    const blocks = text.split(location).slice(1);
    for (const block of blocks.filter((b) => /^\s+add_header /m.test(b))) {
      expect(block).toMatch(/include snippets\/hbnb-headers\.conf;/);
    }
    expect(blocks.filter((b) => /^\s+add_header /m.test(b)).length).toBeGreaterThan(0);
  });

  test("drops other host names once a domain is set, but still answers on loopback", () => {
    const { site } = planOf({ serverName: "example.com" }).configs;
    expect(site).toMatch(/server_name _;\n\s+return 444;/);
    expect(site).toMatch(/^ {4}listen 80;$/m);
    expect(site).toMatch(/^ {4}listen 127\.0\.0\.1:80;$/m);
    expect(site).toMatch(/^ {4}server_name example\.com;$/m);
  });

  test("apiRateLimit sets the API's budget, and 0 turns it off", () => {
    const { site, limits } = planOf({ apiRateLimit: "50" }).configs;
    expect(limits).toMatch(/zone=hbnb_api:10m rate=50r\/s;$/m);
    expect(site).toMatch(/^\s+limit_req zone=hbnb_api burst=100 nodelay;$/m);
    const off = planOf({ apiRateLimit: "0" }).configs;
    expect(off.limits).not.toContain("limit_req_zone");
    expect(off.site).not.toContain("limit_req");
  });

  test("limits the API, and answers 429 in JSON", () => {
    const { site, guards } = planOf().configs;
    expect(site).toMatch(/location \/api\/ \{\n\s+limit_req zone=hbnb_api burst=20 nodelay;/);
    expect(guards).toMatch(/^error_page 429 @too_many;$/m);
    expect(guards).toContain(`return 429 '{"error": "Too many requests"}\\n';`);
  });
});

describe("the host's hardening files", () => {
  test("SSH: keys only, no root login for a non-root deploy user", () => {
    const sshd = hardening().sshd.text;
    expect(sshd).toMatch(/^PasswordAuthentication no$/m);
    expect(sshd).toMatch(/^KbdInteractiveAuthentication no$/m);
    expect(sshd).toMatch(/^AuthenticationMethods publickey$/m);
    expect(sshd).toMatch(/^PermitRootLogin no$/m);
  });

  test("SSH: a deploy that logs in as root keeps its key login", () => {
    expect(hardening("root").sshd.text).toMatch(/^PermitRootLogin prohibit-password$/m);
  });

  test("fail2ban watches the SSH port the stack uses", () => {
    expect(hardening("ubuntu", 2222).fail2ban.text).toMatch(/^port = 2222$/m);
  });

  test("the app's logs rotate by size as well as daily, and Gunicorn reopens them", () => {
    const logrotate = hardening().logrotate;
    expect(logrotate.path).toBe("/etc/logrotate.d/hbnb");
    expect(logrotate.text).toMatch(/^\/var\/log\/hbnb\/\*\.log \{$/m);
    expect(logrotate.text).toMatch(/^\s+maxsize 100M$/m);
    expect(logrotate.text).toMatch(/systemctl kill --signal=USR1 --kill-who=main hbnb\.service/);
    expect(hardening()["logrotate-timer"].text).toMatch(/^OnCalendar=\nOnCalendar=hourly$/m);
  });

  test("every directive of every hardening file carries a comment", () => {
    for (const file of Object.values(hardening())) {
      const marker = file.text.split("\n").find((line) => !line.startsWith("#") && !line.startsWith("//")) ?? "";
      const text = file.text.replace(/^\/\/ ?/gm, "# ");
      expect([file.name, directivesWithoutComment(text, marker)]).toEqual([file.name, []]);
    }
  });

  test("the harden step passes each file with its kind, path, owner and mode", () => {
    const step = planOf().steps.find((s) => s.name === "harden")!;
    const rendered = Object.values(hardening());
    const line = (f: (typeof rendered)[number]) =>
      [f.kind, f.path, f.owner, f.mode, Buffer.from(f.text).toString("base64")].join("|");
    expect(step.stdin).toContain(`export HBNB_HARDENING_FILES='${rendered.map(line).join("\n")}'`);
    expect(step.stdin).toContain("export HBNB_SSH_USER='ubuntu'");
  });
});
