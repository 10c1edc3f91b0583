import * as fs from "fs";
import { Sandbox } from "./sandbox";

/**
 * The configs step's decisions (files/scripts/configs.sh), in seconds: what it tells the switch
 * step through the pending file for what it wrote, and how it takes a configuration Nginx refuses
 * out again. /etc is the Sandbox's overlay; nginx, systemd-analyze and systemctl are stubs (a
 * refusal of `nginx -t` is the test's to decide).
 */
const SYSTEMCTL = '#!/bin/sh\necho "systemctl $*" >>"$STUB_DIR/log"\n';
const NGINX = '#!/bin/sh\necho "nginx $*" >>"$STUB_DIR/log"\n[ ! -e "$STUB_DIR/nginx-refuses" ] || { echo "emerg: bad"; exit 1; }\n';

/** The configs step's files: kind, path and text (root:root 0644, as most of the plan's are). */
const FILES = {
  unit: ["unit", "/etc/systemd/system/hbnb.service", "[Service]\nExecStart=/usr/bin/gunicorn\n"],
  socket: ["socket", "/etc/systemd/system/hbnb.socket", "[Socket]\nListenStream=/run/hbnb/gunicorn.sock\n"],
  gunicorn: ["gunicorn", "/etc/hbnb/gunicorn.conf.py", "workers = 2\n"],
  site: ["nginx", "/etc/nginx/sites-available/hbnb", "server { listen 80; }\n"],
  snippet: ["nginx", "/etc/nginx/snippets/hbnb-proxy.conf", "proxy_pass http://hbnb;\n"],
} as const;
const records = Object.values(FILES)
  .map(([kind, path, text]) => [kind, path, "root:root", "0644", Buffer.from(text).toString("base64")].join("|"))
  .join("\n");

/** Where a file of /etc is in the sandbox: its overlay's upper directory. */
const etc = (file: string) => file.replace(/^\/etc\//, "upper/");

const sandboxes: Sandbox[] = [];
afterAll(() => sandboxes.forEach((sandbox) => sandbox.remove()));

/** A server with Nginx's default site enabled; the files named in SAME already as the plan has them. */
function server(same: (keyof typeof FILES)[] = [], pending?: string): Sandbox {
  const sandbox = new Sandbox();
  sandboxes.push(sandbox);
  sandbox.stub("systemctl", SYSTEMCTL);
  sandbox.stub("nginx", NGINX);
  sandbox.stub("systemd-analyze", "#!/bin/sh\nexit 0\n");
  for (const name of same) sandbox.write(etc(FILES[name][1]), FILES[name][2]);
  if (pending) sandbox.write("root/state/hbnb.pending", `${pending}\n`);
  return sandbox;
}

const SITE_ENABLED = "ln -sfn /etc/nginx/sites-available/hbnb /etc/nginx/sites-enabled/hbnb && rm -f /etc/nginx/sites-enabled/default";
const configs = (sandbox: Sandbox, setup = "") =>
  sandbox.run(
    "configs.sh",
    {
      HBNB_PENDING_FILE: sandbox.path("root/state/hbnb.pending"),
      HBNB_SITE_PATH: "/etc/nginx/sites-available/hbnb",
      HBNB_CONFIG_FILES: records,
    },
    // Nginx's default site, enabled as the package leaves it.
    ["mkdir -p /etc/nginx/sites-available /etc/nginx/sites-enabled", "touch /etc/nginx/sites-available/default", setup].join("\n"),
  );
const pending = (sandbox: Sandbox) =>
  sandbox.exists("root/state/hbnb.pending") ? sandbox.read("root/state/hbnb.pending").trim() : "none";

describe("configs.sh tells the switch step what Gunicorn needs", () => {
  test.each([
    ["every file new", [], undefined, "restart-socket"],
    ["a new unit", ["socket", "gunicorn", "site", "snippet"], undefined, "restart"],
    ["new Gunicorn settings", ["unit", "socket", "site", "snippet"], undefined, "reload"],
    ["nothing new for Gunicorn (a new Nginx snippet)", ["unit", "socket", "gunicorn", "site"], undefined, "none"],
    // What the switch has not done yet stays asked for: a weaker need never replaces it.
    ["new Gunicorn settings, a restart pending", ["unit", "socket", "site", "snippet"], "restart", "restart"],
    ["a new unit, a new socket pending", ["socket", "gunicorn", "site", "snippet"], "restart-socket", "restart-socket"],
    ["a new socket, a reload pending", ["unit", "gunicorn", "site", "snippet"], "reload", "restart-socket"],
  ] as const)("%s: %s", (_, same, before, after) => {
    const sandbox = server([...same], before);
    const result = configs(sandbox, SITE_ENABLED);
    expect([result.code, pending(sandbox)]).toEqual([0, after]);
  });

  test("a new unit or socket: systemd reloads its units; new Nginx files: checked, then Nginx reloads", () => {
    const sandbox = server();
    const result = configs(sandbox);
    expect(result.code).toBe(0);
    expect(sandbox.calls().split("\n")).toEqual([
      "nginx -t",
      "systemctl is-active -q nginx",
      "systemctl reload nginx",
      "systemctl daemon-reload",
      "",
    ]);
    expect(sandbox.read("upper/nginx/sites-available/hbnb")).toBe(FILES.site[2]);
    expect(fs.readlinkSync(sandbox.path("upper/nginx/sites-enabled/hbnb"))).toBe("/etc/nginx/sites-available/hbnb");
    expect(result.out).toContain("configs: changed: disabled the distribution's default site");
  });
});

describe("configs.sh when nginx -t refuses the new files", () => {
  test("every file is as before (the old site back, new files gone), the default site enabled again, no reload", () => {
    const sandbox = server(["unit", "socket", "gunicorn"]);
    sandbox.write("upper/nginx/sites-available/hbnb", "server { listen 80; } # the old site\n");
    sandbox.write("state/nginx-refuses", "");
    const result = configs(sandbox, "ln -sfn /etc/nginx/sites-available/default /etc/nginx/sites-enabled/default");
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      "configs: error: nginx -t rejected the new configuration, which was taken out again; the running Nginx keeps its own: emerg: bad",
    );
    expect(sandbox.read("upper/nginx/sites-available/hbnb")).toBe("server { listen 80; } # the old site\n");
    expect(sandbox.exists("upper/nginx/snippets/hbnb-proxy.conf")).toBe(false);
    expect(fs.readlinkSync(sandbox.path("upper/nginx/sites-enabled/default"))).toBe("/etc/nginx/sites-available/default");
    // The site's file is there (the old one): its link stays.
    expect(fs.readlinkSync(sandbox.path("upper/nginx/sites-enabled/hbnb"))).toBe("/etc/nginx/sites-available/hbnb");
    expect(sandbox.calls()).not.toContain("systemctl reload nginx");
    expect(pending(sandbox)).toBe("none");
  });

  test("a site that was not there before: its file and its link are gone", () => {
    const sandbox = server();
    sandbox.write("state/nginx-refuses", "");
    const result = configs(sandbox);
    expect(result.code).toBe(1);
    expect(sandbox.exists("upper/nginx/sites-available/hbnb")).toBe(false);
    expect(fs.existsSync(sandbox.path("upper/nginx/sites-enabled/hbnb"))).toBe(false);
    expect(fs.lstatSync(sandbox.path("upper/nginx/sites-enabled/default")).isSymbolicLink()).toBe(true);
  });
});

describe("secrets.sh", () => {
  test("a new environment asks for a restart, and keeps a new socket that the configs step asked for", () => {
    for (const [before, after] of [
      [undefined, "restart"],
      ["reload", "restart"],
      ["restart-socket", "restart-socket"],
    ] as const) {
      const sandbox = server([], before);
      const result = sandbox.run("secrets.sh", {
        HBNB_APP_USER: "root",
        HBNB_PENDING_FILE: sandbox.path("root/state/hbnb.pending"),
        HBNB_ENV_PATH: sandbox.path("root/etc/hbnb/hbnb.env"),
        HBNB_ENV_FILE: "SECRET_KEY=x\n",
      });
      expect([before, result.code, pending(sandbox)]).toEqual([before, 0, after]);
    }
  });
});
