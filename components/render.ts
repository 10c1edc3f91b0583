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

/** The config files of one server, rendered: template path → text. */
export interface Configs {
  unit: string;
  gunicorn: string;
  env: string;
  site: string;
  proxy: string;
}

const TEMPLATES: Record<keyof Configs, string> = {
  unit: "systemd/app.service.njk",
  gunicorn: "gunicorn/gunicorn.conf.py.njk",
  env: "systemd/app.env.njk",
  site: "nginx/site.conf.njk",
  proxy: "nginx/proxy.conf.njk",
};

export function renderConfigs(templates: Record<string, string>, values: Layout): Configs {
  // Config files are not HTML: no escaping; a value that is missing is an error, not "".
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: true });
  const render = (key: keyof Configs): string => {
    const template = templates[TEMPLATES[key]];
    if (template === undefined) throw new Error(`template files/${TEMPLATES[key]} is missing`);
    return env.renderString(template, values);
  };
  return {
    unit: render("unit"),
    gunicorn: render("gunicorn"),
    env: render("env"),
    site: render("site"),
    proxy: render("proxy"),
  };
}
