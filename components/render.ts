import * as nunjucks from "nunjucks";
import { AppSettings } from "./settings";

/**
 * The server-side names and paths every template and script shares, derived from settings in
 * this one place, and the rendering of the config templates with them.
 */
export interface Layout {
  service: string;
  user: string;
  group: string;
  /** Nginx's user on Debian and Ubuntu; it joins the app's group. */
  webUser: string;
  appDir: string;
  current: string;
  dataDir: string;
  logDir: string;
  configDir: string;
  configFile: string;
  envFile: string;
  socket: string;
  unitPath: string;
  sitePath: string;
  proxyPath: string;
  /** Root-owned bookkeeping of the deploy steps (pending reloads). */
  stateDir: string;
  databaseUrl: string;
  serverName: string;
  workers: number;
  keepReleases: number;
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
    dataDir: app.dataDir,
    logDir: app.logDir,
    configDir,
    configFile: `${configDir}/gunicorn.conf.py`,
    envFile: `${configDir}/${service}.env`,
    socket: `/run/${service}/gunicorn.sock`,
    unitPath: `/etc/systemd/system/${service}.service`,
    sitePath: `/etc/nginx/sites-available/${service}`,
    proxyPath: `/etc/nginx/snippets/${service}-proxy.conf`,
    stateDir: "/var/lib/hbnb-stack",
    databaseUrl: app.databaseUrl || `sqlite:///${app.dataDir}/hbnb.db`,
    serverName: app.serverName,
    workers: app.workers,
    keepReleases: app.keepReleases,
  };
}

/**
 * What a config file is to the configs step: how it is checked and what applies it.
 * unit: systemd-analyze verify, daemon-reload, restart; env: restart; gunicorn: graceful
 * reload; nginx: nginx -t, then reload Nginx.
 */
export type ConfigKind = "unit" | "env" | "gunicorn" | "nginx";

export interface ConfigFile {
  name: string;
  kind: ConfigKind;
  /** Where it goes on the server. */
  path: string;
  owner: string;
  mode: string;
  text: string;
}

/** Every config file of the app on a server: adding one is a template in files/ and a row here. */
const CONFIG_FILES: {
  name: string;
  kind: ConfigKind;
  template: string;
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
    name: "env",
    kind: "env",
    template: "systemd/app.env.njk",
    path: (l) => l.envFile,
    owner: (l) => `root:${l.group}`,
    mode: "0640",
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
];

export function renderConfigs(templates: Record<string, string>, values: Layout): ConfigFile[] {
  // Config files are not HTML: no escaping; a value that is missing is an error, not "".
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: true });
  return CONFIG_FILES.map((file) => {
    const template = templates[file.template];
    if (template === undefined) throw new Error(`template files/${file.template} is missing`);
    return {
      name: file.name,
      kind: file.kind,
      path: file.path(values),
      owner: file.owner(values),
      mode: file.mode,
      text: env.renderString(template, values),
    };
  });
}
