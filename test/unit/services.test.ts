import { ServicesError } from "../../core/services";
import { parseSettings, SettingsError } from "../../core/settings";
import { base, bundle, CLASSIC_FILES, planOf } from "./plan-fixture";

/**
 * A user's app as the stack runs it: the `services` setting and its checks, the classic preset
 * found in a release's files, and what the plan makes of them (units, the site's routes, the
 * file storage's link, the import check, the URL rewrite).
 */
const classic = (raw: Record<string, string> = {}) =>
  planOf({ layout: "classic", ...raw }, { ...bundle, files: CLASSIC_FILES });

function problemsOf(raw: Record<string, string>): string[] {
  try {
    parseSettings({ ...base, ...raw });
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  return [];
}

describe("the services setting", () => {
  test("a service with every field, and one with only its name, app and route", () => {
    const services = [
      {
        name: "api",
        app: "api.v1.app:app",
        routes: [{ path: "/api/", to: "/v1/", exact: false }],
        workers: 2,
        environment: { FLAG: "on" },
        static: [{ path: "/docs/", dir: "api/docs" }],
      },
      { name: "web", app: "web.main:create_app", routes: [{ path: "/", exact: true }] },
    ];
    const settings = parseSettings({ ...base, layout: "custom", services: JSON.stringify(services) });
    expect(settings.app.services).toEqual([
      services[0],
      { ...services[1], routes: [{ path: "/", to: "/", exact: true }], workers: 3, environment: {}, static: [] },
    ]);
  });

  test.each<[string, Record<string, string>, string]>([
    [
      "custom with no services",
      { layout: "custom" },
      "hbnb-stack:services is empty: layout custom runs the services listed there",
    ],
    [
      "services with another layout",
      { layout: "classic", services: '[{"name": "a", "app": "a:app", "routes": [{"path": "/"}]}]' },
      'hbnb-stack:services = "(a list)": only layout custom takes services; layout is classic',
    ],
    [
      "a name that cannot name a unit",
      { layout: "custom", services: '[{"name": "My App", "app": "a:app", "routes": [{"path": "/"}]}]' },
      'hbnb-stack:services[0].name = "My App": expected a short lowercase name',
    ],
    [
      "an app without its callable",
      { layout: "custom", services: '[{"name": "a", "app": "a.py", "routes": [{"path": "/"}]}]' },
      'hbnb-stack:services[0].app = "a.py": expected module:callable as Gunicorn takes it',
    ],
    [
      "two services on one path",
      {
        layout: "custom",
        services:
          '[{"name": "a", "app": "a:app", "routes": [{"path": "/x/"}]}, {"name": "b", "app": "b:app", "routes": [{"path": "/x/"}]}]',
      },
      'hbnb-stack:services[1].routes[0].path = "/x/": another route has this path',
    ],
    [
      "the stack's own path",
      { layout: "custom", services: '[{"name": "a", "app": "a:app", "routes": [{"path": "/-/x"}]}]' },
      'hbnb-stack:services[0].routes[0].path = "/-/x": /-/ belongs to the stack',
    ],
    [
      "a static directory outside the app",
      {
        layout: "custom",
        services:
          '[{"name": "a", "app": "a:app", "routes": [{"path": "/"}], "static": [{"path": "/s/", "dir": "../etc"}]}]',
      },
      'hbnb-stack:services[0].static[0].dir = "../etc": expected a directory of the app',
    ],
    [
      "a field a service does not have",
      { layout: "custom", services: '[{"name": "a", "app": "a:app", "routes": [{"path": "/"}], "port": 5000}]' },
      "hbnb-stack:services[0].port = 5000: not a field of a service",
    ],
    [
      "an environment that is not a map",
      { appEnvironment: '["HBNB_TYPE_STORAGE=db"]' },
      'hbnb-stack:appEnvironment = ["HBNB_TYPE_STORAGE=db"]: expected a map of variable names to text',
    ],
    [
      "a package name with a space",
      { pythonPackages: '["python3 flask"]' },
      'hbnb-stack:pythonPackages = "python3 flask": not a package name',
    ],
  ])("%s is refused with a message that names it", (_, raw, message) => {
    expect(problemsOf(raw).join("\n")).toContain(message);
  });
});

describe("the classic preset", () => {
  test("the exercise's four apps, the newest page, each its own unit, socket and Gunicorn config", () => {
    const { layout } = classic();
    expect(layout.services.map((s) => [s.unit, s.app, s.socket, s.configFile, s.workers])).toEqual([
      [
        "hbnb-hello",
        "web_flask.0-hello_route:app",
        "/run/hbnb-hello/gunicorn.sock",
        "/etc/hbnb/hello.gunicorn.conf.py",
        2,
      ],
      [
        "hbnb-number",
        "web_flask.6-number_odd_or_even:app",
        "/run/hbnb-number/gunicorn.sock",
        "/etc/hbnb/number.gunicorn.conf.py",
        2,
      ],
      ["hbnb-api", "api.v1.app:app", "/run/hbnb-api/gunicorn.sock", "/etc/hbnb/api.gunicorn.conf.py", 3],
      ["hbnb-page", "web_dynamic.100-hbnb:app", "/run/hbnb-page/gunicorn.sock", "/etc/hbnb/page.gunicorn.conf.py", 3],
    ]);
    expect(layout.services[3].routes).toEqual([{ path: "/", to: "/100-hbnb", exact: true }]);
    expect(layout.staticDirs).toEqual(["_hbnb_stack", "web_dynamic/static"]);
  });

  test("a repository without the exercise's files is refused, naming what is missing", () => {
    expect(() => planOf({ layout: "classic" }, { ...bundle, files: ["app.py"] })).toThrow(ServicesError);
    expect(() => planOf({ layout: "classic" }, { ...bundle, files: ["app.py"] })).toThrow(
      'hbnb-stack:layout = "classic": the app has no web_flask/0-hello_route.py, web_flask/6-number_odd_or_even.py, api/v1/app.py, web_dynamic/<n>-hbnb.py',
    );
  });

  test("file storage: file.json in the release links into the data directory; db storage: no link", () => {
    const values = (raw: Record<string, string>) => classic(raw).steps.find((s) => s.name === "release")!.stdin;
    expect(values({})).toContain("export HBNB_DATA_LINKS='file.json'");
    expect(values({ appEnvironment: '{"HBNB_TYPE_STORAGE": "db"}' })).toContain("export HBNB_DATA_LINKS=''");
    expect(values({})).toContain(
      "export HBNB_APP_MODULES='web_flask.0-hello_route web_flask.6-number_odd_or_even api.v1.app web_dynamic.100-hbnb'",
    );
  });

  test("db storage and no databaseUrl: MariaDB on the server, its login in the variables the classic app reads", () => {
    const plan = classic({ appEnvironment: '{"HBNB_TYPE_STORAGE": "db"}' });
    expect(plan.steps.map((s) => s.name)).toContain("mariadb");
    const env = plan.steps.find((s) => s.name === "secrets")!.stdin;
    expect(env).toContain(
      "HBNB_MYSQL_USER=hbnb\nHBNB_MYSQL_PWD=@@hbnb-secret:databasePassword@@\nHBNB_MYSQL_HOST=localhost\n",
    );
    expect(env).toContain("HBNB_ENV=production");
  });

  test("an external MySQL (databaseUrl): the same variables, read from the URL; no MariaDB here", () => {
    const plan = classic({
      appEnvironment: '{"HBNB_TYPE_STORAGE": "db"}',
      databaseUrl: "mysql+mysqldb://dev:p%40ss@db.example.com:3306/hbnb_dev",
    });
    expect(plan.steps.map((s) => s.name)).not.toContain("mariadb");
    const env = plan.steps.find((s) => s.name === "secrets")!.stdin;
    expect(env).toContain(
      "HBNB_MYSQL_USER=dev\nHBNB_MYSQL_PWD=p@ss\nHBNB_MYSQL_HOST=db.example.com:3306\nHBNB_MYSQL_DB=hbnb_dev\n",
    );
  });

  test("no database step (the app makes its own tables); the switch and prune know every unit", () => {
    const plan = classic();
    expect(plan.steps.map((s) => s.name)).not.toContain("database");
    const units = plan.layout.services.map((s) => `${s.unit}|${s.socket}|${s.workers}|${s.configFile}`).join("\n");
    expect(plan.steps.find((s) => s.name === "switch")!.stdin).toContain(`export HBNB_UNITS='${units}'`);
    expect(plan.steps.find((s) => s.name === "switch")!.stdin).toContain("export HBNB_CHECK_PATH='/airbnb-onepage/'");
  });

  test("each Gunicorn serves its app through the stack's wrapper, with its routes in its environment", () => {
    const { configs } = classic({ appEnvironment: '{"HBNB_TYPE_STORAGE": "file"}' });
    expect(configs["gunicorn-number"]).toContain(
      `wsgi_app = "hbnb_stack_wsgi:serve(\\"web_flask.6-number_odd_or_even:app\\")"`,
    );
    expect(configs["gunicorn-number"]).toContain(
      `"HBNB_STACK_ROUTES=" + "[{\\"path\\":\\"/airbnb-dynamic/number_odd_or_even/\\",\\"to\\":\\"/number_odd_or_even/\\",\\"exact\\":false}]",`,
    );
    expect(configs["gunicorn-number"]).toContain(`"HBNB_TYPE_STORAGE=file",`);
    expect(configs["gunicorn-number"]).toMatch(/^accesslog = "\/var\/log\/hbnb\/number-access.log"$/m);
    expect(configs["unit-page"]).toMatch(/^Requires=hbnb-page.socket$/m);
    expect(configs["socket-page"]).toMatch(/^ListenStream=\/run\/hbnb-page\/gunicorn.sock$/m);
  });

  test("the site: one upstream a service, the exercise's paths, static files by Nginx, no URL rewrite unless asked", () => {
    const { site } = classic().configs;
    for (const unit of ["hbnb_hello", "hbnb_number", "hbnb_api", "hbnb_page"]) {
      expect(site).toContain(`upstream ${unit}_app {`);
    }
    expect(site).toMatch(/location \/airbnb-onepage\/ \{\n[^}]*proxy_pass http:\/\/hbnb_hello_app;/);
    expect(site).toMatch(/location = \/airbnb-onepage \{\n[^}]*proxy_pass http:\/\/hbnb_hello_app;/);
    expect(site).toMatch(/location = \/ \{\n[^}]*proxy_pass http:\/\/hbnb_page_app;/);
    expect(site).toMatch(
      /location \/api\/ \{\n\s+# Requests a second[^\n]*\n\s+limit_req zone=hbnb_api burst=20 nodelay;/,
    );
    expect(site).toMatch(/location \/static\/ \{\n\s+alias \/srv\/hbnb\/current\/web_dynamic\/static\/;/);
    expect(site).not.toContain("sub_filter");
  });

  test("rewriteClassicUrls: the hard-coded API and the CDN's jQuery become this site's", () => {
    const { site, proxy } = classic({ rewriteClassicUrls: "true" }).configs;
    expect(site).toContain("sub_filter 'http://0.0.0.0:5001/api/v1/' '/api/v1/';");
    expect(site).toContain("sub_filter 'https://ajax.googleapis.com/ajax/libs/jquery/' '/_hbnb_stack/cdn/';");
    expect(site).toContain("alias /srv/hbnb/current/_hbnb_stack/jquery.min.js;");
    // Nginx rewrites only answers that are not compressed.
    expect(proxy).toContain('proxy_set_header Accept-Encoding "";');
  });
});
