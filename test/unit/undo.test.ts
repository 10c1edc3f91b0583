import { execFileSync } from "child_process";
import { undoSteps } from "../../core/plan";
import { RawConfig } from "../../core/settings";
import { files, planOf } from "./plan-fixture";

/**
 * The plan's undos: what `pulumi destroy` runs on a server the stack did not create. Each is a
 * script of files/scripts/ with exactly its values, in a command that carries the script itself
 * (a Command's `delete` gets the stdin of its create), run in the reverse of the plan's order.
 */

/** What the undo's command hands root's bash, decoded by a real shell (sudo left out). */
function scriptOf(command: string): string {
  const prefix = "printf %s ";
  const suffix = " | base64 -d | sudo -n bash -s";
  expect(command.startsWith(prefix) && command.endsWith(suffix)).toBe(true);
  // Only base64's own letters between them: nothing the remote shell would interpret.
  expect(command.slice(prefix.length, -suffix.length)).toMatch(/^[A-Za-z0-9+/]+=*$/);
  return execFileSync("bash", ["-c", command.replace(suffix, " | base64 -d")], { encoding: "utf8" });
}

/** The exports at the top of an undo's script, as a map. */
function valuesOf(script: string): Record<string, string> {
  const values: Record<string, string> = {};
  const exports = script.slice(2, script.indexOf(files.scripts.lib));
  for (const match of exports.matchAll(/^export ([A-Z_]+)='((?:[^']|'\\'')*)'$/gm)) {
    values[match[1]] = match[2].replace(/'\\''/g, "'");
  }
  return values;
}

describe("the plan's undos", () => {
  const plan = planOf();
  const undos = undoSteps(plan);

  test("run in the reverse of the plan's order, one per step that leaves something on the server", () => {
    expect(undos.map((u) => u.name)).toEqual([
      "undo-firewall",
      "undo-harden",
      "undo-switch",
      "undo-secrets",
      "undo-configs",
      "undo-release",
      "undo-users",
    ]);
    // The packages stay, the database is the kept data, wait and prune leave nothing.
    expect(plan.steps.filter((s) => !s.undo).map((s) => s.name)).toEqual(["wait", "packages", "database", "prune"]);
  });

  test("each fits in the one argument sshd hands the remote shell (Linux: 128 KiB)", () => {
    for (const undo of undos) expect(undo.command.length).toBeLessThan(128 * 1024);
  });

  test("each carries lib.sh and its script, stdin closed, and reads nothing from the session's stdin", () => {
    for (const undo of undos) {
      const script = scriptOf(undo.command);
      expect(script.startsWith(`{\nexport HBNB_STEP='${undo.name}'\n`)).toBe(true);
      expect(script).toContain(files.scripts.lib);
      expect(script).toContain(files.scripts[undo.name]);
      expect(script.endsWith("\n} </dev/null\n")).toBe(true);
    }
  });

  test("each gets exactly its own values", () => {
    const values = Object.fromEntries(undos.map((u) => [u.name, valuesOf(scriptOf(u.command))]));
    expect(values["undo-firewall"]).toEqual({ HBNB_STEP: "undo-firewall", HBNB_SSH_PORT: "22" });
    expect(values["undo-switch"]).toEqual({
      HBNB_STEP: "undo-switch",
      HBNB_SERVICE: "hbnb",
      HBNB_UNITS: "hbnb",
      HBNB_APP_DIR: "/srv/hbnb",
      HBNB_STATE_DIR: "/var/lib/hbnb-stack",
      HBNB_PENDING_FILE: "/var/lib/hbnb-stack/hbnb.pending",
    });
    expect(values["undo-secrets"]).toEqual({ HBNB_STEP: "undo-secrets", HBNB_ENV_PATH: "/etc/hbnb/hbnb.env" });
    expect(values["undo-release"]).toEqual({ HBNB_STEP: "undo-release", HBNB_APP_DIR: "/srv/hbnb" });
    expect(values["undo-configs"]).toEqual({
      HBNB_STEP: "undo-configs",
      HBNB_SITE_PATH: "/etc/nginx/sites-available/hbnb",
      HBNB_CONFIG_FILES: [
        "unit|/etc/systemd/system/hbnb.service|root:root|0644|",
        "socket|/etc/systemd/system/hbnb.socket|root:root|0644|",
        "gunicorn|/etc/hbnb/gunicorn.conf.py|root:hbnb|0640|",
        "nginx|/etc/nginx/sites-available/hbnb|root:root|0644|",
        "nginx|/etc/nginx/snippets/hbnb-proxy.conf|root:root|0644|",
        "nginx|/etc/nginx/snippets/hbnb-guards.conf|root:root|0644|",
        "nginx|/etc/nginx/snippets/hbnb-headers.conf|root:root|0644|",
        "nginx|/etc/nginx/snippets/hbnb-code-cache.conf|root:root|0644|",
        "nginx|/etc/nginx/snippets/hbnb-data-cache.conf|root:root|0644|",
        "nginx|/etc/nginx/conf.d/hbnb-limits.conf|root:root|0644|",
        "nginx|/etc/nginx/conf.d/hbnb-tuning.conf|root:root|0644|",
        "tool|/usr/local/lib/hbnb-stack/lib.sh|root:root|0755|",
        "tool|/usr/local/lib/hbnb-stack/switch.sh|root:root|0755|",
        "tool|/usr/local/lib/hbnb-stack/rollback.sh|root:root|0755|",
        "tool|/usr/local/lib/hbnb-stack/reload.sh|root:root|0755|",
        "tool|/usr/local/sbin/hbnb-rollback|root:root|0755|",
        "tool|/usr/local/sbin/hbnb-reload|root:root|0755|",
      ].join("\n"),
      HBNB_CACHE_DIR: "/var/cache/nginx-hbnb",
      HBNB_TOOLS_DIR: "/usr/local/lib/hbnb-stack",
    });
    expect(values["undo-users"]).toEqual({
      HBNB_STEP: "undo-users",
      HBNB_SERVICE: "hbnb",
      HBNB_APP_USER: "hbnb",
      HBNB_WEB_USER: "www-data",
      HBNB_APP_DIR: "/srv/hbnb",
      HBNB_DATA_DIR: "/var/lib/hbnb",
      HBNB_LOG_DIR: "/var/log/hbnb",
      HBNB_CONFIG_DIR: "/etc/hbnb",
      HBNB_STATE_DIR: "/var/lib/hbnb-stack",
      HBNB_KEEP_DATA: "true",
    });
    // The harden step's own list of files, each of which the undo removes; the text only of the
    // distribution's files whose keys it puts back.
    const hardening = plan.configFiles.filter((f) => f.step === "harden");
    const list = hardening.map((f) =>
      [f.kind, f.path, f.owner, f.mode, f.kind.endsWith("keys") ? Buffer.from(f.text).toString("base64") : ""].join(
        "|",
      ),
    );
    expect(values["undo-harden"]).toEqual({ HBNB_STEP: "undo-harden", HBNB_HARDENING_FILES: list.join("\n") });
    const harden = plan.steps.find((s) => s.name === "harden")!;
    const stepList = /^export HBNB_HARDENING_FILES='([^']*)'$/m.exec(harden.stdin)![1].split("\n");
    expect(list.map((line) => line.split("|").slice(0, 4))).toEqual(
      stepList.map((line) => line.split("|").slice(0, 4)),
    );
    expect(hardening.filter((f) => f.kind === "keys").map((f) => f.path)).toEqual([
      "/etc/login.defs",
      "/etc/ufw/sysctl.conf",
      // Where the harden step finds it on this release: the first of these that exists.
      "/etc/chkrootkit/chkrootkit.conf /etc/chkrootkit.conf",
      "/etc/default/apport",
    ]);
    expect(hardening.filter((f) => f.kind === "nginx-keys").map((f) => f.path)).toEqual(["/etc/nginx/nginx.conf"]);
  });

  test("follow the settings they undo: another app user, directories, SSH port", () => {
    const other = planOf({
      appUser: "web",
      appDir: "/opt/web",
      dataDir: "/data/web",
      logDir: "/var/log/web",
      sshPort: "2222",
    });
    const values = Object.fromEntries(undoSteps(other).map((u) => [u.name, valuesOf(scriptOf(u.command))]));
    expect(values["undo-firewall"].HBNB_SSH_PORT).toBe("2222");
    expect(values["undo-switch"]).toMatchObject({ HBNB_SERVICE: "web", HBNB_APP_DIR: "/opt/web" });
    expect(values["undo-users"]).toMatchObject({
      HBNB_APP_USER: "web",
      HBNB_DATA_DIR: "/data/web",
      HBNB_LOG_DIR: "/var/log/web",
      HBNB_CONFIG_DIR: "/etc/web",
    });
    expect(values["undo-configs"].HBNB_CONFIG_FILES).toContain("unit|/etc/systemd/system/web.service|root:root|0644|");
  });

  test("keep the data, logs, user and group by default; destroyKeepsData false removes them", () => {
    const users = (raw: RawConfig) => undoSteps(planOf(raw)).find((u) => u.name === "undo-users")!;
    expect(valuesOf(scriptOf(users({}).command)).HBNB_KEEP_DATA).toBe("true");
    expect(users({}).summary).toBe("remove the app's emptied directories; keep its data, logs, user and group");
    expect(valuesOf(scriptOf(users({ destroyKeepsData: "false" }).command)).HBNB_KEEP_DATA).toBe("false");
    expect(users({ destroyKeepsData: "false" }).summary).toBe(
      "remove the app's directories, data, logs, user and group",
    );
  });

  test("leave the steps themselves as they were: an undo changes no step's command, stdin or triggers", () => {
    const keep = planOf();
    const remove = planOf({ destroyKeepsData: "false" });
    expect(remove.steps.map((s) => [s.command, s.stdin, s.triggers])).toEqual(
      keep.steps.map((s) => [s.command, s.stdin, s.triggers]),
    );
  });
});
