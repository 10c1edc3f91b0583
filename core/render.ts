import * as nunjucks from "nunjucks";
import { ServerFiles } from "./files";
import { HttpsLayout } from "./https";
import { Layout, Tunables } from "./layout";
import { Service } from "./services";

/**
 * Every file the plan renders onto a server, in one registry: which step installs it, what kind
 * of file it is to that step, where it goes, and its template (or the step script it installs
 * as is). Rendered with one nunjucks environment, and sent to the step in one record format.
 */

/**
 * What the templates see: the layout, the tunables, the SSH user and port the deploy uses, and
 * MariaDB's socket (core/mariadb.ts).
 */
export type TemplateValues = Layout &
  Tunables & {
    sshUser: string;
    sshPort: number;
    mariadbSocket: string;
    /** MariaDB on this server (database mariadb without databaseHost): the app reaches it through its socket. */
    localMariadb: boolean;
    /** The services as the switch step reads them (core/plan.ts, unitRecords). */
    units: string;
    /** What the switch asks Nginx for at the end. */
    checkPath: string;
    /** Behind the stack's load balancer: the range X-Forwarded-For is trusted from; else empty. */
    loadBalancerCidr: string;
    /** Behind AWS's load balancer: the drain step's marker, which makes balancerCheckPath answer 503; else empty. */
    drainMarker: string;
    balancerCheckPath: string;
    /** With a domain: where HTTPS lives (core/https.ts); false: HTTP only. */
    https: HttpsLayout | false;
  };

/**
 * What a file is to the step that installs it: how it is checked and what applies it.
 * The configs step (files/scripts/configs.sh):
 * - unit: systemd-analyze verify, daemon-reload, restart; socket: the same, and the socket is
 *   restarted with the service; gunicorn: graceful reload; nginx: nginx -t, then reload Nginx;
 *   tool: a script for the operator, installed as is.
 * The harden step (files/scripts/harden.sh):
 * - sshd: `sshd -t` with the file in place (taken out again if refused), then reload ssh;
 * - sysctl: each key applied with sysctl -w at once; kept for boot by systemd-sysctl;
 * - fail2ban: `fail2ban-client -t`, then reload (or start) fail2ban;
 * - apt: apt.conf syntax checked by `apt-config dump`;
 * - logrotate: `logrotate --debug` of the file;
 * - timer: a drop-in of logrotate.timer: daemon-reload and restart of the timer;
 * - plain: read by its program at its next start: installed, nothing to reload;
 * - keys: KEY VALUE or key=value lines, each set in the distribution's file; its other lines stay
 *   as they are. The path may list other places of the file, space-separated: the first that
 *   exists is the one; none, and the file is skipped (not on this system);
 * - nginx-keys: as keys, in Nginx's own nginx.conf ("directive value;" lines); then `nginx -t`
 *   and a reload.
 */
export type FileKind =
  | "unit"
  | "socket"
  | "gunicorn"
  | "nginx"
  | "tool"
  | "sshd"
  | "sysctl"
  | "fail2ban"
  | "apt"
  | "logrotate"
  | "timer"
  | "plain"
  | "keys"
  | "nginx-keys";

/** The step that installs a file (and whose undo takes it back). */
export type FileStep = "configs" | "harden";

export interface RenderedFile {
  name: string;
  step: FileStep;
  kind: FileKind;
  /** Where it goes on the server. */
  path: string;
  owner: string;
  mode: string;
  text: string;
}

interface Row {
  name: string;
  step: FileStep;
  kind: FileKind;
  /** A template under files/, or the name of a step script installed unrendered. */
  template?: string;
  script?: string;
  path: (l: Layout, s: Service) => string;
  owner?: (l: Layout) => string;
  /** Default: root:root 0644. */
  mode?: string;
  /** One file per service, rendered with the service's values over the layout's. */
  perService?: boolean;
  /** Whether the layout has this file at all (default: always). */
  when?: (v: TemplateValues) => boolean;
}

const perService = true;
const bundled = (l: Layout): boolean => l.layout === "bundled";

/** A row of the configs step, whose files are the app's. */
const config = (row: Omit<Row, "step">): Row => ({ step: "configs", ...row });
/** A row of the harden step, whose files are the host's (templates in files/hardening/). */
const hardening = (name: string, kind: FileKind, template: string, path: (l: Layout) => string): Row => ({
  name,
  step: "harden",
  kind,
  template: `hardening/${template}`,
  path,
});

/** Every file on a server: adding one is a template in files/ and a row here. */
const FILES: Row[] = [
  // Each service: its unit, the socket Nginx connects to (made by systemd and handed to
  // Gunicorn), and its Gunicorn config.
  config({ name: "unit", kind: "unit", template: "systemd/app.service.njk", path: (_l, s) => s.unitPath, perService }),
  config({
    name: "socket",
    kind: "socket",
    template: "systemd/app.socket.njk",
    path: (_l, s) => s.socketUnitPath,
    perService,
  }),
  config({
    name: "gunicorn",
    kind: "gunicorn",
    template: "gunicorn/gunicorn.conf.py.njk",
    path: (_l, s) => s.configFile,
    owner: (l) => `root:${l.group}`,
    mode: "0640",
    perService,
  }),
  // The bundled app's site knows its routes and caches; a user's app gets one from its services.
  config({ name: "site", kind: "nginx", template: "nginx/site.conf.njk", path: (l) => l.sitePath, when: bundled }),
  config({
    name: "site",
    kind: "nginx",
    template: "nginx/services-site.conf.njk",
    path: (l) => l.sitePath,
    when: (l) => !bundled(l),
  }),
  config({ name: "proxy", kind: "nginx", template: "nginx/proxy.conf.njk", path: (l) => l.proxyPath }),
  // What every site's server block has: headers, timeouts, limits, errors in JSON.
  config({
    name: "guards",
    kind: "nginx",
    template: "nginx/guards.conf.njk",
    path: (l) => `/etc/nginx/snippets/${l.service}-guards.conf`,
  }),
  // Security headers, included by the server block and by each location with headers of its own.
  config({
    name: "headers",
    kind: "nginx",
    template: "nginx/headers.conf.njk",
    path: (l) => `/etc/nginx/snippets/${l.service}-headers.conf`,
  }),
  // The cache of the app's answers, one snippet per kind of key (the site says which routes).
  ...["code-cache", "data-cache"].map((snippet) =>
    config({
      name: snippet,
      kind: "nginx",
      template: `nginx/${snippet}.conf.njk`,
      path: (l) => `/etc/nginx/snippets/${l.service}-${snippet}.conf`,
      when: bundled,
    }),
  ),
  // What Nginx accepts only at the http level: the API's rate-limit zone.
  config({
    name: "limits",
    kind: "nginx",
    template: "nginx/limits.conf.njk",
    path: (l) => `/etc/nginx/conf.d/${l.service}-limits.conf`,
  }),
  // Performance settings only accepted at the http level: the static files' cache lifetimes,
  // the answers' cache and its keys.
  config({
    name: "tuning",
    kind: "nginx",
    template: "nginx/tuning.conf.njk",
    path: (l) => `/etc/nginx/conf.d/${l.service}-tuning.conf`,
  }),
  // With a domain: the http level's part of HTTPS (the redirect's and HSTS's variables), and the
  // TLS settings, which the certificate step links in once the certificate exists.
  config({
    name: "https",
    kind: "nginx",
    template: "nginx/https.conf.njk",
    path: (l) => `/etc/nginx/conf.d/${l.service}-https.conf`,
    when: (v) => v.https !== false,
  }),
  config({
    name: "tls",
    kind: "nginx",
    template: "nginx/tls.conf.njk",
    path: (l) => `/etc/nginx/snippets/${l.service}-tls.conf`,
    when: (v) => v.https !== false,
  }),
  // The operator's tools: the switch step's own scripts, and commands that run them by name.
  ...["lib", "switch", "rollback", "reload"].map((script) =>
    config({ name: `tool-${script}`, kind: "tool", script, path: (l) => `${l.toolsDir}/${script}.sh`, mode: "0755" }),
  ),
  ...["rollback", "reload"].map((command) =>
    config({
      name: command,
      kind: "tool",
      template: `tools/${command}.njk`,
      path: (l) => `/usr/local/sbin/${l.service}-${command}`,
      mode: "0755",
    }),
  ),

  // The host's own hardening: SSH, kernel, fail2ban, security upgrades, log rotation, core dumps.
  // "10-": read before the distribution's and the cloud image's drop-ins (the first value wins).
  hardening("sshd", "sshd", "sshd.conf.njk", () => "/etc/ssh/sshd_config.d/10-hbnb-stack.conf"),
  hardening("sysctl", "sysctl", "sysctl.conf.njk", () => "/etc/sysctl.d/90-hbnb-stack.conf"),
  hardening("fail2ban", "fail2ban", "fail2ban.local.njk", () => "/etc/fail2ban/jail.d/hbnb-stack.local"),
  // "52": after the distribution's 20auto-upgrades and 50unattended-upgrades, so its values win.
  hardening("upgrades", "apt", "auto-upgrades.njk", () => "/etc/apt/apt.conf.d/52hbnb-stack-auto-upgrades"),
  hardening("logrotate", "logrotate", "logrotate.njk", (l) => `/etc/logrotate.d/${l.service}`),
  hardening(
    "logrotate-timer",
    "timer",
    "logrotate-timer.conf.njk",
    () => "/etc/systemd/system/logrotate.timer.d/hbnb-stack.conf",
  ),
  hardening("coredump", "plain", "coredump.conf.njk", () => "/etc/systemd/coredump.conf.d/hbnb-stack.conf"),
  hardening("security-limits", "plain", "limits.conf.njk", () => "/etc/security/limits.d/hbnb-stack.conf"),
  hardening("profile", "plain", "profile.sh.njk", () => "/etc/profile.d/hbnb-stack.sh"),
  hardening("modprobe", "plain", "modprobe.conf.njk", () => "/etc/modprobe.d/hbnb-stack.conf"),
  // The distribution's own file (login.defs has no drop-in directory): only the keys listed change.
  hardening("login-defs", "keys", "login.defs.njk", () => "/etc/login.defs"),
  // ufw applies its own kernel settings at each start: they must agree with the sysctl file above.
  hardening("ufw-sysctl", "keys", "ufw-sysctl.njk", () => "/etc/ufw/sysctl.conf"),
  // chkrootkit's daily report to the journal: no mail transport here. Its file is in
  // /etc/chkrootkit/ from Debian's 0.55-2 on (Ubuntu 22.04's 0.55-4, Ubuntu 24.04, Debian 12 and
  // 13: the packages' file lists); releases before kept it in /etc/chkrootkit.conf (debconf), as
  // a system upgraded from them may still have it.
  hardening("chkrootkit", "keys", "chkrootkit.conf.njk", () => "/etc/chkrootkit/chkrootkit.conf /etc/chkrootkit.conf"),
  // How many connections Nginx holds: only nginx.conf's main and events levels take it.
  hardening("nginx-connections", "nginx-keys", "nginx.conf.njk", () => "/etc/nginx/nginx.conf"),
  // Ubuntu's crash reporter off (with apport.service masked by the harden step): see the file.
  hardening("apport", "keys", "apport.njk", () => "/etc/default/apport"),
];

// Config files are not HTML: no escaping; a value that is missing is an error, not "".
const environment = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: true });

/** Renders one template of files/ ("systemd/app.env.njk") with VALUES. */
export function renderTemplate(files: ServerFiles, template: string, values: object): string {
  const source = files.templates[template];
  if (source === undefined) throw new Error(`template files/${template} is missing`);
  return environment.renderString(source, values);
}

/** Every file of the registry, rendered with VALUES, in the registry's order. */
export function renderFiles(files: ServerFiles, values: TemplateValues): RenderedFile[] {
  const text = (row: Row, v: TemplateValues): string => {
    if (row.template) return renderTemplate(files, row.template, v);
    const source = files.scripts[row.script ?? ""];
    if (source === undefined) throw new Error(`files/scripts/${row.script}.sh is missing`);
    return source;
  };
  const file = (row: Row, name: string, v: TemplateValues, s: Service): RenderedFile => ({
    name,
    step: row.step,
    kind: row.kind,
    path: row.path(v, s),
    owner: row.owner?.(v) ?? "root:root",
    mode: row.mode ?? "0644",
    text: text(row, v),
  });
  const [first] = values.services;
  return FILES.filter((row) => row.when?.(values) ?? true).flatMap((row) =>
    row.perService
      ? values.services.map((s) =>
          // A service's values over the layout's: its socket, workers, app and logs.
          file(row, bundled(values) ? row.name : `${row.name}-${s.name}`, { ...values, ...s }, s),
        )
      : [file(row, row.name, values, first)],
  );
}

/**
 * The files of STEP as the step scripts read them (files/scripts/lib.sh, read_files): one a
 * line, kind|path|owner|mode|content in base64. CONTENT says which files carry their text (an
 * undo needs only the paths, and the text of the files whose keys it puts back).
 */
export function fileRecords(
  files: RenderedFile[],
  step: FileStep,
  content: (file: RenderedFile) => boolean = () => true,
): string {
  return files
    .filter((f) => f.step === step)
    .map((f) => [f.kind, f.path, f.owner, f.mode, content(f) ? Buffer.from(f.text, "utf8").toString("base64") : ""])
    .map((fields) => fields.join("|"))
    .join("\n");
}
