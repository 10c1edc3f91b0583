import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import {
  check,
  checkClassicRoutes,
  CLASSIC_ROUTES,
  HttpAnswer,
  HttpRequest,
  RouteCheck,
  Target,
} from "../e2e/classic-routes";
import {
  appEnvironment,
  appModules,
  CDN_JQUERY,
  ClassicOptions,
  commitBrokenImport,
  commitHello,
  FixtureRepo,
  HARD_CODED_API,
  HELLO,
  PRESETS,
  writeRepo,
} from "../e2e/fixture-repos";

/**
 * The fixture repositories of the e2e tests work before any server does: each preset is
 * written to a temporary directory, and its apps, imported by Debian's python3 and Flask as
 * the servers run them, answer every route of test/e2e/classic-routes.ts: first through Flask's
 * test client (test/files/flask_apps.py), then served by real Gunicorn, each app on its own
 * port. What Nginx and the stack's wrapper do on a server, sending each public path to its app
 * under the app's own path, is publicToApp here.
 */
jest.setTimeout(120_000);

const PYTHON = "/usr/bin/python3";
const GUNICORN = "/usr/bin/gunicorn";
const CLIENT = path.join(__dirname, "flask_apps.py");
// The public host a test client or Gunicorn is asked for, as Nginx passes the client's Host on.
const HOST = "hbnb.test";

const temporary: string[] = [];
const tempDir = (name: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hbnb-fixture-${name}-`));
  temporary.push(dir);
  return dir;
};
afterAll(() => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

// No __pycache__ in the repositories (the release is their tree as committed).
const pythonEnv = (extra: Record<string, string> = {}) => ({ ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...extra });

/** The app of a classic repository a public path goes to, and the path that app sees. */
function publicToApp(options: ClassicOptions, publicPath: string): { app: string; path: string } {
  const [pathname, query] = publicPath.split(/(?=\?)/);
  const at = (app: string, appPath: string) => ({ app, path: appPath + (query ?? "") });
  if (/^\/airbnb-onepage\/?$/.test(pathname)) return at("hello", options.helloRoute === "root" ? "/" : pathname);
  if (pathname.startsWith("/airbnb-dynamic/")) return at("number", pathname.slice("/airbnb-dynamic".length));
  if (pathname.startsWith("/api/")) return at("api", pathname);
  if (pathname === "/") return at("page", options.pageRoute);
  return at("page", pathname);
}

/** The repository's apps behind their test clients, in one python3 process. */
class TestClients {
  private child: ChildProcess;
  private lines: AsyncIterator<string>;
  stderr = "";

  constructor(
    repo: string,
    modules: Record<string, string>,
    cwd: string,
    sqlite?: string,
    env: Record<string, string> = {},
  ) {
    const args = [CLIENT, repo, ...(sqlite ? ["--sqlite", sqlite] : [])];
    args.push(...Object.entries(modules).map(([name, module]) => `${name}=${module}`));
    this.child = spawn(PYTHON, args, { cwd, env: pythonEnv(env), stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr!.on("data", (data) => (this.stderr += data));
    this.lines = readline.createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
  }

  private async line(): Promise<any> {
    const next = await this.lines.next();
    if (next.done) throw new Error(`flask_apps.py ended:\n${this.stderr}`);
    return JSON.parse(next.value);
  }

  ready(): Promise<{ ready: string[]; engines: [string, Record<string, unknown>][] }> {
    return this.line();
  }

  async send(app: string, request: HttpRequest): Promise<HttpAnswer> {
    this.child.stdin!.write(JSON.stringify({ app, ...request, headers: { Host: HOST, ...request.headers } }) + "\n");
    const answer = await this.line();
    return { status: answer.status, headers: answer.headers, body: Buffer.from(answer.body, "base64") };
  }

  close(): Promise<void> {
    this.child.stdin!.end();
    return new Promise((resolve) =>
      this.child.exitCode !== null ? resolve() : this.child.on("exit", () => resolve()),
    );
  }
}

/** Gunicorn serving one app of REPO on a port of its choosing (bind :0, read from its log). */
class Gunicorn {
  private child: ChildProcess;
  log = "";
  port: Promise<number>;

  constructor(repo: string, module: string, env: Record<string, string> = {}) {
    this.child = spawn(GUNICORN, ["--bind", "127.0.0.1:0", "--workers", "2", "--chdir", repo, `${module}:app`], {
      env: pythonEnv(env),
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.port = new Promise((resolve, reject) => {
      this.child.stderr!.on("data", (data) => {
        this.log += data;
        const listening = this.log.match(/Listening at: http:\/\/127\.0\.0\.1:(\d+)/);
        if (listening) resolve(Number(listening[1]));
      });
      this.child.on("exit", () => reject(new Error(`gunicorn ${module} exited:\n${this.log}`)));
    });
    // Seen by whoever sends a request; a Gunicorn stopped before any request is no error.
    this.port.catch(() => undefined);
  }

  /** A request with the public Host header, as Nginx sends it (fetch cannot set Host). */
  async send(request: HttpRequest): Promise<HttpAnswer> {
    const port = await this.port;
    return new Promise((resolve, reject) => {
      const outgoing = http.request(
        {
          host: "127.0.0.1",
          port,
          method: request.method,
          path: request.path,
          headers: { ...request.headers, Host: HOST },
          timeout: 30_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({
              status: response.statusCode!,
              headers: Object.fromEntries(Object.entries(response.headers).map(([key, value]) => [key, String(value)])),
              body: Buffer.concat(chunks),
            }),
          );
        },
      );
      outgoing.on("error", reject);
      outgoing.end(request.body);
    });
  }

  /** Stops it (TERM to the master, which stops its workers) and waits for its exit. */
  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.on("exit", () => resolve());
      this.child.kill("SIGTERM");
    });
  }
}

/** A target for checkClassicRoutes that sends each public path to its app. */
const appTarget = (
  options: ClassicOptions,
  send: (app: string, request: HttpRequest) => Promise<HttpAnswer>,
): Target => ({
  origin: `http://${HOST}`,
  send: (request) => {
    const { app, path: appPath } = publicToApp(options, request.path);
    return send(app, { ...request, path: appPath });
  },
});

const classicPresets = [
  ["classicFile", PRESETS.classicFile.options],
  ["classicDb", PRESETS.classicDb.options],
] as const;

describe("the fixture repositories as git repositories", () => {
  const git = (dir: string, ...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" }).trim();

  test.each(Object.keys(PRESETS) as (keyof typeof PRESETS)[])(
    "%s: the same inputs give the same commit, by the fixed student, with nothing left uncommitted",
    (name) => {
      const first = writeRepo(tempDir(name), PRESETS[name]);
      const dir = tempDir(name);
      expect(writeRepo(dir, PRESETS[name])).toBe(first);
      expect(git(dir, "log", "--format=%an <%ae> %ad|%cn <%ce> %cd", "--date=iso-strict")).toBe(
        "HBnB Student <student@hbnb.test> 2024-01-01T00:00:00+00:00|HBnB Student <student@hbnb.test> 2024-01-01T00:00:00+00:00",
      );
      expect([git(dir, "branch", "--show-current"), git(dir, "status", "--porcelain")]).toEqual(["main", ""]);
    },
  );

  test("the presets are three different repositories; Python files are executable", () => {
    const commits = (Object.keys(PRESETS) as (keyof typeof PRESETS)[]).map((name) =>
      writeRepo(tempDir(name), PRESETS[name]),
    );
    expect(new Set(commits).size).toBe(3);
    const dir = tempDir("modes");
    writeRepo(dir, PRESETS.classicFile);
    const modes = git(dir, "ls-files", "-s")
      .split("\n")
      .map((line) => line.split(/\s+/))
      .map(([mode, , , file]) => [file, mode]);
    expect(modes.filter(([file, mode]) => file.endsWith(".py") !== (mode === "100755"))).toEqual([]);
    expect(modes.length).toBeGreaterThan(40);
  });

  test("the variants: routes, the hard-coded API and where jQuery comes from", () => {
    const file = PRESETS.classicFile;
    const fileDir = tempDir("file");
    writeRepo(fileDir, file);
    const dbDir = tempDir("db");
    writeRepo(dbDir, PRESETS.classicDb);
    const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name), "utf8");

    expect(read(fileDir, "web_flask/0-hello_route.py")).toContain("@app.route('/airbnb-onepage/')\n");
    expect(read(dbDir, "web_flask/0-hello_route.py")).toContain("@app.route('/', strict_slashes=False)\n");
    expect(read(fileDir, "web_dynamic/100-hbnb.py")).toContain("@app.route('/100-hbnb')\n");
    expect(read(dbDir, "web_dynamic/100-hbnb.py")).toContain("@app.route('/100-hbnb/')\n");

    expect(fs.readFileSync(path.join(fileDir, "web_dynamic/static/scripts/jquery.min.js"))).toEqual(
      fs.readFileSync(require.resolve("jquery/dist/jquery.min.js")),
    );
    expect(read(fileDir, "web_dynamic/templates/100-hbnb.html")).toContain(
      '<script src="/static/scripts/jquery.min.js">',
    );
    expect(read(fileDir, "web_dynamic/static/scripts/100-hbnb.js")).not.toContain("0.0.0.0");

    expect(fs.existsSync(path.join(dbDir, "web_dynamic/static/scripts/jquery.min.js"))).toBe(false);
    expect(read(dbDir, "web_dynamic/templates/100-hbnb.html")).toContain(`<script src="${CDN_JQUERY}">`);
    const js = read(dbDir, "web_dynamic/static/scripts/100-hbnb.js");
    expect(js.match(/'[^']*\/api\/v1\/[^']*'/g)).toEqual([
      `'${HARD_CODED_API}status/'`,
      `'${HARD_CODED_API}places_search'`,
    ]);
  });
});

describe.each(classicPresets)("%s at the app level, through Flask's test client", (name, options) => {
  const fixture: FixtureRepo = { kind: "classic", options };
  const db = options.storage === "db";
  let repo: string;
  let data: string;
  let clients: TestClients;
  let engines: [string, Record<string, unknown>][];

  beforeAll(async () => {
    repo = tempDir(name);
    data = tempDir(`${name}-data`);
    writeRepo(repo, fixture);
    // The environment the stack gives a classic app: HBNB_TYPE_STORAGE from the repository's settings, MySQL's from the stack.
    const mysql = {
      HBNB_MYSQL_USER: "hbnb_dev",
      HBNB_MYSQL_PWD: "hbnb_dev_pwd",
      HBNB_MYSQL_HOST: "localhost",
      HBNB_MYSQL_DB: "hbnb_dev_db",
    };
    const env: Record<string, string> = {
      ...appEnvironment(fixture),
      ...(db ? { ...mysql, HBNB_ENV: "production" } : {}),
    };
    clients = new TestClients(repo, appModules(fixture), data, db ? path.join(data, "hbnb.sqlite") : undefined, env);
    ({ engines } = await clients.ready());
  });
  afterAll(() => clients.close());

  test(`every route of the exercise and the CRUD walk, stored ${db ? "by SQLAlchemy (on SQLite here: no MySQLdb)" : "in file.json"}`, async () => {
    expect(await checkClassicRoutes(appTarget(options, (app, request) => clients.send(app, request)))).toEqual([]);
    if (db) {
      // The api and page apps share one import of the models: one engine, its URL built as the classic code builds it.
      expect(engines).toEqual([
        ["mysql+mysqldb://hbnb_dev:hbnb_dev_pwd@localhost/hbnb_dev_db", { pool_pre_ping: true }],
      ]);
      expect(fs.existsSync(path.join(data, "file.json"))).toBe(false);
    } else {
      expect(engines).toEqual([]);
      // In the working directory: written by the walk's saves, empty again after its deletes.
      expect(JSON.parse(fs.readFileSync(path.join(data, "file.json"), "utf8"))).toEqual({});
    }
  });

  test("the other routes of 6-number_odd_or_even.py, and the exercise's traps at the app level", async () => {
    const routes: [string, string, number, string][] = [
      ["number", "/", 200, "Hello HBNB!"],
      ["number", "/hbnb", 200, "HBNB"],
      ["number", "/c/is_fun", 200, "C is fun"],
      ["number", "/python", 200, "Python is cool"],
      ["number", "/python/rocks_a_lot", 200, "Python rocks a lot"],
      ["number", "/number/89", 200, "89 is a number"],
      ["number", "/number/eighty", 404, ""],
      ["number", "/number_template/89", 200, "<H1>Number: 89</H1>"],
      ["number", "/number_odd_or_even/0", 200, "<H1>Number: 0 is even</H1>"],
    ];
    const answers: HttpAnswer[] = [];
    for (const [app, route] of routes) answers.push(await clients.send(app, { method: "GET", path: route }));
    const seen = answers.map((answer, i) => [
      routes[i][0],
      routes[i][1],
      answer.status,
      routes[i][3] === "" || answer.body.toString().includes(routes[i][3]),
    ]);
    expect(seen).toEqual(routes.map(([app, route, status]) => [app, route, status, true]));

    // What the preset must absorb: the hello app's own routes and the page's slash.
    const hello = async (route: string) => (await clients.send("hello", { method: "GET", path: route })).status;
    const page = async (route: string) => (await clients.send("page", { method: "GET", path: route })).status;
    const other = options.pageRoute === "/100-hbnb" ? "/100-hbnb/" : "/100-hbnb";
    if (options.helloRoute === "root") expect([await hello("/"), await hello("/airbnb-onepage/")]).toEqual([200, 404]);
    else
      expect([await hello("/airbnb-onepage/"), await hello("/airbnb-onepage"), await hello("/")]).toEqual([
        200, 308, 404,
      ]);
    expect([await page(options.pageRoute), await page(other)]).toEqual([
      200,
      options.pageRoute === "/100-hbnb" ? 404 : 308,
    ]);
  });
});

test("classicDb: HBNB_ENV=test drops every table at the start, production keeps them (on SQLite here)", async () => {
  const repo = tempDir("db-env");
  writeRepo(repo, PRESETS.classicDb);
  const data = tempDir("db-env-data");
  const sqlite = path.join(data, "hbnb.sqlite");
  const states = async (hbnbEnv: string, create?: string): Promise<unknown> => {
    const clients = new TestClients(repo, { api: "api.v1.app" }, data, sqlite, {
      HBNB_TYPE_STORAGE: "db",
      HBNB_ENV: hbnbEnv,
    });
    await clients.ready();
    if (create)
      await clients.send("api", {
        method: "POST",
        path: "/api/v1/states",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: create }),
      });
    const answer = await clients.send("api", { method: "GET", path: "/api/v1/states" });
    await clients.close();
    return (JSON.parse(answer.body.toString()) as { name: string }[]).map((state) => state.name);
  };
  expect(await states("production", "Kept")).toEqual(["Kept"]);
  expect(await states("production")).toEqual(["Kept"]);
  expect(await states("test")).toEqual([]);
});

test("classicFile: its same-origin jQuery is served with the page's static files", async () => {
  const repo = tempDir("jquery");
  writeRepo(repo, PRESETS.classicFile);
  const clients = new TestClients(repo, { page: "web_dynamic.100-hbnb" }, tempDir("jquery-data"));
  await clients.ready();
  const answer = await clients.send("page", { method: "GET", path: "/static/scripts/jquery.min.js" });
  await clients.close();
  expect([answer.status, answer.body.equals(fs.readFileSync(require.resolve("jquery/dist/jquery.min.js")))]).toEqual([
    200,
    true,
  ]);
});

/** The plain repository's routes, for the test client and Gunicorn alike. */
const PLAIN_ROUTES: RouteCheck[] = [
  {
    name: "its page",
    request: { method: "GET", path: "/" },
    expect: { status: 200, contains: ["<h1>Plain Flask</h1>", '<link rel="stylesheet" href="/static/style.css">'] },
  },
  { name: "its greeting", request: { method: "GET", path: "/hello" }, expect: { status: 200, text: HELLO } },
  {
    name: "its JSON",
    request: { method: "GET", path: "/api/info" },
    expect: {
      status: 200,
      contentType: /^application\/json/,
      json: { app: "plain", routes: ["/", "/hello", "/api/info"] },
    },
  },
  {
    name: "its static file",
    request: { method: "GET", path: "/static/style.css" },
    expect: { status: 200, contains: ["color: #ff545f;"], contentType: /^text\/css/ },
  },
];
const checkEach = async (target: Target, routes: RouteCheck[]) => {
  const failures: string[] = [];
  for (const route of routes) failures.push(...(await check(target, route)));
  return failures;
};

test("plainFlask at the app level, through Flask's test client", async () => {
  const repo = tempDir("plain");
  writeRepo(repo, PRESETS.plainFlask);
  const clients = new TestClients(repo, appModules(PRESETS.plainFlask), tempDir("plain-data"));
  await clients.ready();
  try {
    expect(
      await checkEach({ origin: `http://${HOST}`, send: (request) => clients.send("plain", request) }, PLAIN_ROUTES),
    ).toEqual([]);
  } finally {
    await clients.close();
  }
});

describe("under real Gunicorn (/usr/bin/gunicorn, 2 workers, --chdir the repository)", () => {
  const servers: Gunicorn[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    servers.length = 0;
  });
  const serve = (repo: string, module: string) => {
    const server = new Gunicorn(repo, module);
    servers.push(server);
    return server;
  };

  test("classicFile: every route and the CRUD walk, each app a Gunicorn of its own sharing file.json", async () => {
    const options = PRESETS.classicFile.options;
    const repo = tempDir("gunicorn-file");
    writeRepo(repo, PRESETS.classicFile);
    const apps = Object.fromEntries(
      Object.entries(appModules(PRESETS.classicFile)).map(([name, module]) => [name, serve(repo, module)]),
    );
    expect(await checkClassicRoutes(appTarget(options, (app, request) => apps[app].send(request)))).toEqual([]);
    // The apps wrote in the working directory Gunicorn was given.
    expect(JSON.parse(fs.readFileSync(path.join(repo, "file.json"), "utf8"))).toEqual({});
  });

  test("classicDb: the hello and number apps (the api and page apps need MySQLdb, not installed here)", async () => {
    const options = PRESETS.classicDb.options;
    const repo = tempDir("gunicorn-db");
    writeRepo(repo, PRESETS.classicDb);
    const modules = appModules(PRESETS.classicDb);
    const apps: Record<string, Gunicorn> = { hello: serve(repo, modules.hello), number: serve(repo, modules.number) };
    const routes = CLASSIC_ROUTES.filter((route) =>
      ["hello", "number"].includes(publicToApp(options, route.request.path).app),
    );
    expect(routes).toHaveLength(5);
    expect(
      await checkEach(
        appTarget(options, (app, request) => apps[app].send(request)),
        routes,
      ),
    ).toEqual([]);
  });

  test("plainFlask", async () => {
    const repo = tempDir("gunicorn-plain");
    writeRepo(repo, PRESETS.plainFlask);
    const server = serve(repo, "app");
    expect(
      await checkEach({ origin: `http://${HOST}`, send: (request) => server.send(request) }, PLAIN_ROUTES),
    ).toEqual([]);
  });
});

describe("the commits the e2e tests deploy next", () => {
  /** Imports MODULE from REPO with Debian's python3: its exit code and the last line of its stderr. */
  const importing = (repo: string, module: string) => {
    const result = spawnSync(PYTHON, ["-c", `import importlib; importlib.import_module(${JSON.stringify(module)})`], {
      cwd: tempDir("import"),
      env: pythonEnv({ PYTHONPATH: repo }),
      encoding: "utf8",
    });
    return [result.status, result.stderr.trim().split("\n").pop()];
  };

  test.each([
    ["classicFile", PRESETS.classicFile, "api.v1.app"],
    ["plainFlask", PRESETS.plainFlask, "app"],
  ] as const)("%s: a new hello text, then an app that fails to import, two ways", async (name, fixture, module) => {
    const repo = tempDir(name);
    const first = writeRepo(repo, fixture);
    const hello = commitHello(repo, fixture, "Hello again!");
    const helloModule = fixture.kind === "plain" ? "app" : "web_flask.0-hello_route";
    const clients = new TestClients(repo, { hello: helloModule }, tempDir(`${name}-data`));
    await clients.ready();
    const answer = await clients.send("hello", {
      method: "GET",
      path: fixture.kind === "plain" ? "/hello" : "/airbnb-onepage/",
    });
    await clients.close();
    expect([answer.status, answer.body.toString()]).toEqual([200, "Hello again!"]);
    expect(importing(repo, module)).toEqual([0, ""]);

    const missing = commitBrokenImport(repo, fixture);
    expect(importing(repo, module)).toEqual([1, "ModuleNotFoundError: No module named 'flasgger_missing'"]);
    execFileSync("git", ["checkout", "-q", hello], { cwd: repo });
    const syntax = commitBrokenImport(repo, fixture, "syntax-error");
    expect(importing(repo, module)).toEqual([1, "SyntaxError: '(' was never closed"]);
    expect(new Set([first, hello, missing, syntax]).size).toBe(4);
  });
});

test("every Python file of each preset compiles (DB storage's module included: it needs MySQLdb to run)", () => {
  for (const name of Object.keys(PRESETS) as (keyof typeof PRESETS)[]) {
    const repo = tempDir(`compile-${name}`);
    writeRepo(repo, PRESETS[name]);
    const files = execFileSync("git", ["ls-files", "*.py"], { cwd: repo, encoding: "utf8" }).trim().split("\n");
    if (name !== "plainFlask") expect(files).toContain("models/engine/db_storage.py");
    // py_compile's check, with the bytecode thrown away: compile() raises on the first error.
    const result = spawnSync(
      PYTHON,
      ["-c", "import sys\nfor f in sys.argv[1:]: compile(open(f).read(), f, 'exec')", ...files],
      {
        cwd: repo,
        encoding: "utf8",
      },
    );
    expect([name, result.status, result.stderr]).toEqual([name, 0, ""]);
  }
});

describe("the checker of classic-routes.ts fails where a server answers wrong", () => {
  const hello = CLASSIC_ROUTES.find((route) => route.request.path === "/airbnb-onepage")!;
  type Answers = Record<string, [number, Record<string, string>, string]>;
  /** A server that answers each path from ANSWERS. */
  const answering = (answers: Answers): Target => ({
    origin: "http://203.0.113.7",
    send: async (request) => {
      const [status, headers, body] = answers[request.path] ?? [404, {}, ""];
      return { status, headers, body: Buffer.from(body) };
    },
  });

  test.each<[string, Answers, string[]]>([
    ["the answer itself", { "/airbnb-onepage": [200, {}, "Hello HBNB!"] }, []],
    [
      "a relative redirect",
      { "/airbnb-onepage": [301, { location: "/airbnb-onepage/" }, ""], "/airbnb-onepage/": [200, {}, "Hello HBNB!"] },
      [],
    ],
    [
      "a redirect on the public host",
      {
        "/airbnb-onepage": [301, { location: "http://203.0.113.7/airbnb-onepage/" }, ""],
        "/airbnb-onepage/": [200, {}, "Hello HBNB!"],
      },
      [],
    ],
    [
      "a redirect to the app server behind Nginx",
      { "/airbnb-onepage": [308, { location: "http://127.0.0.1:5000/airbnb-onepage/" }, ""] },
      [
        "the hello app at /airbnb-onepage (GET /airbnb-onepage): redirects off the host, to http://127.0.0.1:5000/airbnb-onepage/",
      ],
    ],
    [
      "two redirects",
      { "/airbnb-onepage": [301, { location: "/a" }, ""], "/a": [301, { location: "/airbnb-onepage/" }, ""] },
      ["the hello app at /airbnb-onepage (GET /airbnb-onepage): redirects twice (/a, then /airbnb-onepage/)"],
    ],
    [
      "another text",
      { "/airbnb-onepage": [200, {}, "Hello HBNB"] },
      ['the hello app at /airbnb-onepage (GET /airbnb-onepage): body "Hello HBNB"'],
    ],
  ])("%s", async (_, answers, failures) => {
    expect(await check(answering(answers), hello)).toEqual(failures);
  });
});
