import { Service, services, VENDOR_DIR } from "./services";
import { AppLayout, AppSettings, Database } from "./settings";

/**
 * Where things are on a server: the names and paths every template, step and tool shares,
 * derived from settings in this one place.
 */
export interface Layout {
  /** Which apps the release runs (bundled, classic or custom). */
  layout: AppLayout;
  service: string;
  user: string;
  group: string;
  /** Nginx's user on Debian and Ubuntu: the one user that may connect to the app's socket. */
  webUser: string;
  appDir: string;
  current: string;
  /** The bundled app's static files in a release, which Nginx serves itself. */
  staticDir: string;
  /** Every directory of a release that Nginx reads (its files readable by all). */
  staticDirs: string[];
  /** Paths in a release that link to the same name in the data directory (a classic app's file storage). */
  dataLinks: string[];
  dataDir: string;
  logDir: string;
  configDir: string;
  envFile: string;
  /** The WSGI apps the release runs, each its own Gunicorn, socket and unit. */
  services: Service[];
  sitePath: string;
  proxyPath: string;
  /** Root-owned bookkeeping of the deploy steps (pending reloads, the history of releases). */
  stateDir: string;
  /**
   * What the switch step must do to Gunicorn for configs written since it last ran (reload,
   * restart or restart-socket): written by the configs and secrets steps, read and removed by the
   * switch (and its rollback tool), removed by the switch's undo.
   */
  pendingFile: string;
  /** Where the operator's tools (rollback, reload) and the scripts they run are installed. */
  toolsDir: string;
  /** Nginx's cache of the app's answers (created by Nginx, owned by its user). */
  cacheDir: string;
  /**
   * Where the bundled app publishes its data's generation for Nginx's cache keys (a symlink,
   * hbnb/generation_link.py): the app unit's runtime directory.
   */
  generationDir: string;
}

/** RELEASE_FILES: the paths in the release, where a user's app's services are found. */
export function layout(app: AppSettings, releaseFiles: string[] = []): Layout {
  const service = app.user;
  const configDir = `/etc/${service}`;
  const stateDir = "/var/lib/hbnb-stack";
  const list = services(app, releaseFiles);
  const staticDir = "hbnb/static";
  return {
    layout: app.layout,
    service,
    user: app.user,
    group: app.user,
    webUser: "www-data",
    appDir: app.dir,
    current: `${app.dir}/current`,
    staticDir,
    staticDirs:
      app.layout === "bundled"
        ? [staticDir]
        : [...new Set([VENDOR_DIR, ...list.flatMap((s) => s.static.map((d) => d.dir))])],
    // A classic app keeps its file storage in file.json, in its working directory (the release):
    // a link carries it into the data directory, where every release finds it.
    dataLinks: app.layout === "classic" && app.environment.HBNB_TYPE_STORAGE !== "db" ? ["file.json"] : [],
    dataDir: app.dataDir,
    logDir: app.logDir,
    configDir,
    envFile: `${configDir}/${service}.env`,
    services: list,
    sitePath: `/etc/nginx/sites-available/${service}`,
    proxyPath: `/etc/nginx/snippets/${service}-proxy.conf`,
    stateDir,
    pendingFile: `${stateDir}/${service}.pending`,
    toolsDir: "/usr/local/lib/hbnb-stack",
    cacheDir: `/var/cache/nginx-${service}`,
    generationDir: `/run/${service}-generation`,
  };
}

/** How the app is run and served: the stack's settings that the templates and steps use. */
export interface Tunables {
  /** sqlite, or mariadb: MariaDB on the server (core/mariadb.ts). */
  database: Database;
  /**
   * What the app connects to (SQLite in the data directory unless the stack names one); empty
   * for MariaDB, whose URL carries the stack's password: only the environment file holds it.
   */
  databaseUrl: string;
  serverName: string;
  workers: number;
  keepReleases: number;
  /** Requests a second per client address on /api/; 0: no limit. */
  apiRateLimit: number;
  /** Who may write through the API: token or open. */
  apiWriteAccess: string;
  /** Whether Nginx rewrites a classic page's hard-coded API and CDN URLs. */
  rewriteClassicUrls: boolean;
}

export function tunables(app: AppSettings): Tunables {
  return {
    database: app.database,
    // MariaDB (on the server or the database host) and RDS: the URL holds the password.
    databaseUrl: app.database !== "sqlite" ? "" : app.databaseUrl || `sqlite:///${app.dataDir}/hbnb.db`,
    serverName: app.serverName,
    workers: app.workers,
    keepReleases: app.keepReleases,
    apiRateLimit: app.apiRateLimit,
    apiWriteAccess: app.apiWriteAccess,
    rewriteClassicUrls: app.rewriteClassicUrls,
  };
}
