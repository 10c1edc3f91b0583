import * as nunjucks from "nunjucks";
import { ServerFiles } from "./files";
import { AppSettings } from "./settings";

/**
 * The server-side names and paths every template and script shares, derived from settings in
 * this one place, and the rendering of the config templates with them.
 */
export interface Layout {
  service: string;
  user: string;
  group: string;
  /** Nginx's user on Debian and Ubuntu: the one user that may connect to the app's socket. */
  webUser: string;
  appDir: string;
  current: string;
  /** The app's static files in a release, which Nginx serves itself. */
  staticDir: string;
  dataDir: string;
  logDir: string;
  configDir: string;
  configFile: string;
  envFile: string;
  socket: string;
  unitPath: string;
  socketUnitPath: string;
  sitePath: string;
  proxyPath: string;
  /** Root-owned bookkeeping of the deploy steps (pending reloads, the history of releases). */
  stateDir: string;
  /** Where the operator's tools (rollback, reload) and the scripts they run are installed. */
  toolsDir: string;
  /** Nginx's cache of the app's answers (created by Nginx, owned by its user). */
  cacheDir: string;
  databaseUrl: string;
  serverName: string;
  workers: number;
  keepReleases: number;
  /** Requests a second per client address on /api/; 0: no limit. */
  apiRateLimit: number;
  /** Who may write through the API: token or open. */
  apiWriteAccess: string;
}

export function layout(app: AppSettings): Layout {
  const service = app.user;
  const configDir = `/etc/${service}`;
  return {
    service,
    user: app.user,
    group: app.user,
    webUser: "www-data",
    appDir: app.dir,
    current: `${app.dir}/current`,
    staticDir: "hbnb/static",
    dataDir: app.dataDir,
    logDir: app.logDir,
    configDir,
    configFile: `${configDir}/gunicorn.conf.py`,
    envFile: `${configDir}/${service}.env`,
    socket: `/run/${service}/gunicorn.sock`,
    unitPath: `/etc/systemd/system/${service}.service`,
    socketUnitPath: `/etc/systemd/system/${service}.socket`,
    sitePath: `/etc/nginx/sites-available/${service}`,
    proxyPath: `/etc/nginx/snippets/${service}-proxy.conf`,
    stateDir: "/var/lib/hbnb-stack",
    toolsDir: "/usr/local/lib/hbnb-stack",
    cacheDir: `/var/cache/nginx-${service}`,
    databaseUrl: app.databaseUrl || `sqlite:///${app.dataDir}/hbnb.db`,
    serverName: app.serverName,
    workers: app.workers,
    keepReleases: app.keepReleases,
    apiRateLimit: app.apiRateLimit,
    apiWriteAccess: app.apiWriteAccess,
  };
}

/**
 * What a config file is to the configs step: how it is checked and what applies it.
 * unit: systemd-analyze verify, daemon-reload, restart; socket: the same, and the socket is
 * restarted with the service; gunicorn: graceful reload; nginx: nginx -t, then reload Nginx;
 * tool: a script for the operator, installed as is.
 */
export type ConfigKind = "unit" | "socket" | "gunicorn" | "nginx" | "tool";

export interface ConfigFile {
  name: string;
  kind: ConfigKind;
  /** Where it goes on the server. */
  path: string;
  owner: string;
  mode: string;
  text: string;
}

/**
 * Every config file of the app on a server: adding one is a template in files/ and a row here.
 * A row with a script instead of a template installs that step script unrendered.
 */
const CONFIG_FILES: {
  name: string;
  kind: ConfigKind;
  template?: string;
  script?: string;
  path: (l: Layout) => string;
  owner: (l: Layout) => string;
  mode: string;
}[] = [
  {
    name: "unit",
    kind: "unit",
    template: "systemd/app.service.njk",
    path: (l) => l.unitPath,
    owner: () => "root:root",
    mode: "0644",
  },
  {
    // The socket Nginx connects to, made by systemd and handed to Gunicorn.
    name: "socket",
    kind: "socket",
    template: "systemd/app.socket.njk",
    path: (l) => l.socketUnitPath,
    owner: () => "root:root",
    mode: "0644",
  },
  {
    name: "gunicorn",
    kind: "gunicorn",
    template: "gunicorn/gunicorn.conf.py.njk",
    path: (l) => l.configFile,
    owner: (l) => `root:${l.group}`,
    mode: "0640",
  },
  {
    name: "site",
    kind: "nginx",
    template: "nginx/site.conf.njk",
    path: (l) => l.sitePath,
    owner: () => "root:root",
    mode: "0644",
  },
  {
    name: "proxy",
    kind: "nginx",
    template: "nginx/proxy.conf.njk",
    path: (l) => l.proxyPath,
    owner: () => "root:root",
    mode: "0644",
  },
  {
    // Security headers, included by the server block and by each location with headers of its own.
    name: "headers",
    kind: "nginx",
    template: "nginx/headers.conf.njk",
    path: (l) => `/etc/nginx/snippets/${l.service}-headers.conf`,
    owner: () => "root:root",
    mode: "0644",
  },
  // The cache of the app's answers, one snippet per kind of key (the site says which routes).
  ...["code-cache", "data-cache"].map((snippet) => ({
    name: snippet,
    kind: "nginx" as const,
    template: `nginx/${snippet}.conf.njk`,
    path: (l: Layout) => `/etc/nginx/snippets/${l.service}-${snippet}.conf`,
    owner: () => "root:root",
    mode: "0644",
  })),
  {
    // What Nginx accepts only at the http level: the API's rate-limit zone.
    name: "limits",
    kind: "nginx",
    template: "nginx/limits.conf.njk",
    path: (l) => `/etc/nginx/conf.d/${l.service}-limits.conf`,
    owner: () => "root:root",
    mode: "0644",
  },
  {
    // Performance settings only accepted at the http level: the static files' cache lifetimes,
    // the answers' cache and its keys.
    name: "tuning",
    kind: "nginx",
    template: "nginx/tuning.conf.njk",
    path: (l) => `/etc/nginx/conf.d/${l.service}-tuning.conf`,
    owner: () => "root:root",
    mode: "0644",
  },
  // The operator's tools: the switch step's own scripts, and commands that run them by name.
  ...["lib", "switch", "rollback", "reload"].map((script) => ({
    name: `tool-${script}`,
    kind: "tool" as const,
    script,
    path: (l: Layout) => `${l.toolsDir}/${script}.sh`,
    owner: () => "root:root",
    mode: "0755",
  })),
  ...["rollback", "reload"].map((command) => ({
    name: command,
    kind: "tool" as const,
    template: `tools/${command}.njk`,
    path: (l: Layout) => `/usr/local/sbin/${l.service}-${command}`,
    owner: () => "root:root",
    mode: "0755",
  })),
];

// Config files are not HTML: no escaping; a value that is missing is an error, not "".
const nunjucksEnv = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: true });

/** Renders one template of files/ ("systemd/app.env.njk") with VALUES. */
export function renderTemplate(files: ServerFiles, template: string, values: object): string {
  const source = files.templates[template];
  if (source === undefined) throw new Error(`files/${template} is missing`);
  return nunjucksEnv.renderString(source, values);
}

export function renderConfigs(files: ServerFiles, values: Layout): ConfigFile[] {
  const text = (file: (typeof CONFIG_FILES)[number]): string => {
    if (!file.script) return renderTemplate(files, file.template ?? "", values);
    const source = files.scripts[file.script];
    if (source === undefined) throw new Error(`files/scripts/${file.script}.sh is missing`);
    return source;
  };
  return CONFIG_FILES.map((file) => ({
    name: file.name,
    kind: file.kind,
    path: file.path(values),
    owner: file.owner(values),
    mode: file.mode,
    text: text(file),
  }));
}
