import { AppSettings, ServiceSettings } from "./settings";

/**
 * The WSGI apps a release runs: each its own Gunicorn, socket and systemd unit, all behind one
 * Nginx server block. The bundled app is one service; a user's app is the `services` list, or
 * the classic preset below, which reads the release's own files to find the exercise's apps.
 */

export interface Service extends ServiceSettings {
  /** The systemd unit (service and socket): the app user's name, then the service's. */
  unit: string;
  socket: string;
  /** Gunicorn's config file for this service. */
  configFile: string;
  unitPath: string;
  socketUnitPath: string;
  /** What Gunicorn loads: `module:callable`, or the stack's wrapper around the user's app. */
  wsgiApp: string;
  /** Gunicorn's access and error logs, in the log directory. */
  accessLog: string;
  errorLog: string;
}

/** Where a user's release gets the stack's WSGI wrapper (health path, route mapping). */
export const WRAPPER_MODULE = "hbnb_stack_wsgi";
/** Where a user's release gets the assets the stack vendors (jQuery, for the classic rewrite). */
export const VENDOR_DIR = "_hbnb_stack";

export class ServicesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServicesError";
  }
}

/**
 * The classic exercise's four apps, from the files of the release (paths inside it): the newest
 * `web_dynamic/<n>-hbnb.py` is the page. What differs between classic repositories (the hello
 * route's form, the page's trailing slash) the wrapper absorbs at request time.
 */
export function classicServices(app: AppSettings, releaseFiles: string[]): ServiceSettings[] {
  const required = ["web_flask/0-hello_route.py", "web_flask/6-number_odd_or_even.py", "api/v1/app.py"];
  const missing = required.filter((file) => !releaseFiles.includes(file));
  const pages = releaseFiles
    .map((file) => /^web_dynamic\/(\d+)-hbnb\.py$/.exec(file))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => b - a);
  if (pages.length === 0) missing.push("web_dynamic/<n>-hbnb.py");
  if (missing.length > 0) {
    throw new ServicesError(
      `hbnb-stack:layout = "classic": the app has no ${missing.join(", ")}; the classic layout runs the exercise's apps from those files. Deploy a repository in that layout, or set layout to custom and list the app's services`,
    );
  }
  const page = pages[0];
  // The small apps answer one route each: two workers are enough to reload without a gap.
  const small = Math.min(2, app.workers);
  return [
    {
      name: "hello",
      app: "web_flask.0-hello_route:app",
      routes: [{ path: "/airbnb-onepage/", to: "/", exact: false }],
      workers: small,
      environment: {},
      static: [],
    },
    {
      name: "number",
      app: "web_flask.6-number_odd_or_even:app",
      routes: [{ path: "/airbnb-dynamic/number_odd_or_even/", to: "/number_odd_or_even/", exact: false }],
      workers: small,
      environment: {},
      static: [],
    },
    {
      name: "api",
      app: "api.v1.app:app",
      routes: [{ path: "/api/", to: "/api/", exact: false }],
      workers: app.workers,
      environment: {},
      static: [],
    },
    {
      name: "page",
      app: `web_dynamic.${page}-hbnb:app`,
      routes: [{ path: "/", to: `/${page}-hbnb`, exact: true }],
      workers: app.workers,
      environment: {},
      static: [{ path: "/static/", dir: "web_dynamic/static" }],
    },
  ];
}

/** The services of a stack, with their server names; RELEASE_FILES: the paths in its release. */
export function services(app: AppSettings, releaseFiles: string[]): Service[] {
  const configDir = `/etc/${app.user}`;
  if (app.layout === "bundled") {
    // Today's names, unchanged: servers deployed before services existed keep their unit.
    return [
      {
        name: app.user,
        app: "hbnb.wsgi:app",
        routes: [],
        workers: app.workers,
        environment: {},
        static: [],
        unit: app.user,
        socket: `/run/${app.user}/gunicorn.sock`,
        configFile: `${configDir}/gunicorn.conf.py`,
        unitPath: `/etc/systemd/system/${app.user}.service`,
        socketUnitPath: `/etc/systemd/system/${app.user}.socket`,
        wsgiApp: "hbnb.wsgi:app",
        accessLog: `${app.logDir}/access.log`,
        errorLog: `${app.logDir}/error.log`,
      },
    ];
  }
  const list = app.layout === "classic" ? classicServices(app, releaseFiles) : app.services;
  for (const s of list) {
    for (const dir of s.static) {
      if (!releaseFiles.some((file) => file.startsWith(`${dir.dir}/`))) {
        throw new ServicesError(
          `service ${s.name}: static directory ${dir.dir} (served at ${dir.path}) has no file in the app; fix its dir, or remove it from the service's static list`,
        );
      }
    }
  }
  return list.map((s) => {
    const unit = `${app.user}-${s.name}`;
    return {
      ...s,
      environment: { ...app.environment, ...s.environment },
      unit,
      socket: `/run/${unit}/gunicorn.sock`,
      configFile: `${configDir}/${s.name}.gunicorn.conf.py`,
      unitPath: `/etc/systemd/system/${unit}.service`,
      socketUnitPath: `/etc/systemd/system/${unit}.socket`,
      // Gunicorn's app factory call with a literal argument (Gunicorn 20.1 and later).
      wsgiApp: `${WRAPPER_MODULE}:serve(${JSON.stringify(s.app)})`,
      accessLog: `${app.logDir}/${s.name}-access.log`,
      errorLog: `${app.logDir}/${s.name}-error.log`,
    };
  });
}
