import * as fs from "fs";
import * as path from "path";
import { Bundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan } from "../../core/plan";
import { parseSettings } from "../../core/settings";
import { Sandbox } from "./sandbox";

/**
 * The harden step's decisions on what Ubuntu has and the local servers do not, without a server
 * (harden.sh in a Sandbox: /etc an overlay, kernel.core_pattern a file of the test's, systemctl,
 * fail2ban-client and nft stubs). kernel.core_pattern is the kernel's, global, and read-only in
 * a container: no local server can show Ubuntu's apport pipe, which is why these decisions are
 * tested here.
 */
const root = path.join(__dirname, "..", "..");
const bundle: Bundle = { release: "r-0123456789ab", archive: "/build/x.tar.gz", sha256: "a".repeat(64), files: [] };
const settings = parseSettings({
  target: "existing",
  hosts: '["192.0.2.10"]',
  privateKey: fs.readFileSync(path.join(root, "test", "fixtures", "id_ed25519"), "utf8"),
});
const rendered = buildPlan(settings, bundle, loadServerFiles()).configFiles;
/** The plan's line for file NAME (kind|path|owner|mode|content in base64, as plan.ts sends it). */
const line = (name: string): string => {
  const file = rendered.find((f) => f.name === name)!;
  return [file.kind, file.path, file.owner, file.mode, Buffer.from(file.text).toString("base64")].join("|");
};

// What Ubuntu's apport writes (apport's data/apport, start_apport()), and its /etc/default/apport.
const APPORT_PIPE = "|/usr/share/apport/apport -p%p -s%s -c%c -d%d -P%P -u%u -g%g -- %E";
const DEFAULT_APPORT =
  "# set this to 0 to disable apport, or to 1 to enable it\n# you can temporarily override this with\n# sudo service apport start force_start=1\nenabled=1\n";

// systemctl as Ubuntu's would answer about apport (its state in files of the test); masking a
// running apport stops it, and apport's stop (stop_apport()) writes "core" to core_pattern.
const SYSTEMCTL = `#!/usr/bin/env bash
echo "systemctl $*" >>"$STUB_DIR/log"
case "$*" in
  "cat apport.service") [[ -e $STUB_DIR/apport-installed ]] ;;
  "is-enabled apport.service")
    if [[ -e $STUB_DIR/apport-masked ]]; then echo masked; exit 1; fi
    echo enabled ;;
  "mask -q --now apport.service")
    touch "$STUB_DIR/apport-masked"
    if [[ -e $STUB_DIR/apport-running ]]; then echo core >/proc/sys/kernel/core_pattern; rm "$STUB_DIR/apport-running"; fi ;;
  "is-failed -q chkrootkit.service") exit 1 ;;
  *) exit 0 ;;
esac
`;

/** A server for harden.sh: apport's package there, or also running (it set the pipe; stops when masked). */
function server(options: { apport?: "installed" | "running"; container?: boolean; corePattern: string }): Sandbox {
  const sandbox = new Sandbox({ corePattern: options.corePattern, readOnlyCorePattern: options.container });
  sandboxes.push(sandbox);
  sandbox.stub("systemctl", SYSTEMCTL);
  sandbox.stub("fail2ban-client", "#!/bin/sh\nexit 0\n");
  sandbox.stub("nft", "#!/bin/sh\nexit 0\n");
  if (options.apport) fs.writeFileSync(path.join(sandbox.dir, "state", "apport-installed"), "");
  if (options.apport === "running") fs.writeFileSync(path.join(sandbox.dir, "state", "apport-running"), "");
  return sandbox;
}
const sandboxes: Sandbox[] = [];
afterAll(() => sandboxes.forEach((sandbox) => sandbox.remove()));

/** Runs harden.sh with the given hardening files, after SETUP (bash) made the server's /etc. */
const harden = (sandbox: Sandbox, files: string[], setup = "") =>
  sandbox.run("harden.sh", { HBNB_SSH_USER: "root", HBNB_APP_USER: "hbnb", HBNB_WEB_USER: "www-data", HBNB_HARDENING_FILES: files.join("\n") }, [
    // The distribution's rotation of Nginx's logs, which the step checks is there.
    "mkdir -p /etc/logrotate.d && printf '/var/log/nginx/*.log {\\n}\\n' >/etc/logrotate.d/nginx",
    setup,
  ].join("\n"));

describe("core dumps where Ubuntu pipes them to apport", () => {
  test("apport is masked and stopped: core_pattern is the kernel's core again, enabled=0; a second run changes nothing", () => {
    const ubuntu = server({ apport: "running", corePattern: APPORT_PIPE });
    const setup = `printf '%s' '${DEFAULT_APPORT}' >/etc/default/apport`;
    const first = harden(ubuntu, [line("apport")], setup);
    expect(first.out).toContain("harden: changed: set 1 value(s) in /etc/default/apport");
    expect(first.out).toContain("harden: changed: turned apport off (it kept crashed processes' memory in /var/crash)");
    expect(first.code).toBe(0);
    expect(ubuntu.calls()).toContain("systemctl mask -q --now apport.service\n");
    expect(ubuntu.read("core_pattern")).toBe("core\n");
    expect(ubuntu.read("upper/default/apport")).toBe(DEFAULT_APPORT.replace("enabled=1", "enabled=0"));

    const again = harden(ubuntu, [line("apport")]);
    expect(again.out).toContain("harden: unchanged");
    expect(again.out).not.toContain("changed:");
    expect(again.code).toBe(0);
  });

  test("a pipe to apport left by a stopped apport: core_pattern is set to core", () => {
    const ubuntu = server({ apport: "installed", corePattern: APPORT_PIPE });
    const result = harden(ubuntu, [line("apport")], `printf '%s' '${DEFAULT_APPORT}' >/etc/default/apport`);
    expect(result.out).toContain("harden: changed: kernel.core_pattern = core (was a pipe to apport)");
    expect(result.code).toBe(0);
    expect(ubuntu.read("core_pattern")).toBe("core\n");
  });

  test("in a container the pattern is the host's: said, not changed, and the step goes on", () => {
    const container = server({ apport: "installed", container: true, corePattern: APPORT_PIPE });
    const result = harden(container, [line("apport")], `printf '%s' '${DEFAULT_APPORT}' >/etc/default/apport`);
    expect(result.out).toContain(
      "harden: kernel.core_pattern pipes to apport and is not settable here (a container shares the host's kernel): the host decides",
    );
    expect(result.code).toBe(0);
    expect(container.read("core_pattern")).toBe(`${APPORT_PIPE}\n`);
  });

  test("without apport (Debian) nothing of it is touched", () => {
    const debian = server({ corePattern: "core" });
    const result = harden(debian, [line("apport")]);
    expect(result.out).toContain("harden: skipped /etc/default/apport: not on this system");
    expect(result.out).toContain("harden: unchanged");
    expect(result.code).toBe(0);
    expect(debian.calls()).not.toContain("mask");
    expect(debian.exists("upper/default/apport")).toBe(false);
  });
});

describe("chkrootkit's settings, wherever the release keeps its file", () => {
  const conf = 'RUN_DAILY="false"\nRUN_DAILY_OPTS=""\nMAILTO="root"\n';
  const set = 'RUN_DAILY="true"\nRUN_DAILY_OPTS=""\nMAILTO=""\n';

  test("in /etc/chkrootkit/chkrootkit.conf (Debian's 0.55-2 and later: Ubuntu 22.04 and 24.04, Debian 12 and 13)", () => {
    const s = server({ corePattern: "core" });
    const result = harden(s, [line("chkrootkit")], `mkdir -p /etc/chkrootkit && printf '${conf}' >/etc/chkrootkit/chkrootkit.conf`);
    expect(result.out).toContain("harden: changed: set 2 value(s) in /etc/chkrootkit/chkrootkit.conf");
    expect(result.code).toBe(0);
    expect(s.read("upper/chkrootkit/chkrootkit.conf")).toBe(set);
  });

  test("in /etc/chkrootkit.conf (releases before 0.55-2, kept on a system upgraded from them)", () => {
    const s = server({ corePattern: "core" });
    const result = harden(s, [line("chkrootkit")], `printf '${conf}' >/etc/chkrootkit.conf`);
    expect(result.out).toContain("harden: changed: set 2 value(s) in /etc/chkrootkit.conf");
    expect(result.code).toBe(0);
    expect(s.read("upper/chkrootkit.conf")).toBe(set);
    expect(s.exists("upper/chkrootkit")).toBe(false);
  });

  test("neither: skipped", () => {
    const s = server({ corePattern: "core" });
    const result = harden(s, [line("chkrootkit")]);
    expect(result.out).toContain(
      "harden: skipped /etc/chkrootkit/chkrootkit.conf /etc/chkrootkit.conf: not on this system",
    );
    expect(result.code).toBe(0);
  });
});
