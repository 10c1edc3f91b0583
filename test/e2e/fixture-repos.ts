import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/**
 * The users' repositories the e2e tests deploy (issue 14), written by the tests: no network.
 * A classic AirBnB clone is the tree of test/fixtures/classic/ with the small differences real
 * repositories have (ClassicOptions); a plain one is a single-file Flask app. Each is committed
 * with the git CLI under a fixed author, committer and dates, so the same inputs give the same
 * commit ids on every run.
 */

/** Where the classic tree is kept. */
export const CLASSIC_TREE = path.join(__dirname, "..", "fixtures", "classic");

export interface ClassicOptions {
  /**
   * What HBNB_TYPE_STORAGE the repository is deployed with (appEnvironment): "db" is MySQL
   * (MariaDB). The tree is the same for both: the classic code chooses when it is imported.
   */
  storage: "file" | "db";
  /**
   * The route of web_flask/0-hello_route.py: `/` only ("root"), or `/airbnb-onepage/` with
   * Flask's default strict slashes (`/airbnb-onepage` redirects) or with strict_slashes=False.
   */
  helloRoute: "root" | "onepage-strict" | "onepage-loose";
  /** The route of web_dynamic/100-hbnb.py (Flask's default strict slashes). */
  pageRoute: "/100-hbnb" | "/100-hbnb/";
  /**
   * The original's page: its JS calls http://0.0.0.0:5001/api/v1/... and its HTML loads jQuery
   * from a CDN. Else the JS calls /api/v1/... and jQuery is a file of the repository's static/.
   */
  hardCodedApi: boolean;
}

export type FixtureRepo = { kind: "classic"; options: ClassicOptions } | { kind: "plain" };

/** The three repositories of the issue. */
export const PRESETS = {
  classicFile: {
    kind: "classic",
    options: { storage: "file", helloRoute: "onepage-strict", pageRoute: "/100-hbnb", hardCodedApi: false },
  },
  classicDb: {
    kind: "classic",
    options: { storage: "db", helloRoute: "root", pageRoute: "/100-hbnb/", hardCodedApi: true },
  },
  plainFlask: { kind: "plain" },
} as const satisfies Record<string, FixtureRepo>;

/** The hard-coded API origin of the original's JS, and its jQuery from a CDN. */
export const HARD_CODED_API = "http://0.0.0.0:5001/api/v1/";
export const CDN_JQUERY = "https://ajax.googleapis.com/ajax/libs/jquery/3.7.1/jquery.min.js";

/** The hello text of the repositories as written, the one commitHello changes. */
export const HELLO = "Hello HBNB!";

/** The module of each app of a repository, as Gunicorn names it (module:callable is module:app). */
export function appModules(fixture: FixtureRepo): Record<string, string> {
  return fixture.kind === "plain"
    ? { plain: "app" }
    : {
        hello: "web_flask.0-hello_route",
        number: "web_flask.6-number_odd_or_even",
        api: "api.v1.app",
        page: "web_dynamic.100-hbnb",
      };
}

/** The environment the repository's apps are meant to run with (the stack's appEnvironment). */
export function appEnvironment(fixture: FixtureRepo): Record<string, string> {
  return fixture.kind === "classic" && fixture.options.storage === "db" ? { HBNB_TYPE_STORAGE: "db" } : {};
}

/** Replaces FROM by TO in TEXT, and fails when FROM is not there: the tree and this file must agree. */
function replace(text: string, from: string, to: string, file: string): string {
  if (!text.includes(from)) throw new Error(`fixture-repos: ${file} has no ${JSON.stringify(from)} to replace`);
  return text.split(from).join(to);
}

const HELLO_ROUTE = "@app.route('/airbnb-onepage/', strict_slashes=False)";
const HELLO_ROUTES: Record<ClassicOptions["helloRoute"], string> = {
  root: "@app.route('/', strict_slashes=False)",
  "onepage-strict": "@app.route('/airbnb-onepage/')",
  "onepage-loose": HELLO_ROUTE,
};

/** The files of a classic repository with OPTIONS: path in the repository → content. */
function classicFiles(options: ClassicOptions): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(CLASSIC_TREE, full), fs.readFileSync(full));
    }
  };
  walk(CLASSIC_TREE);
  const edit = (file: string, change: (text: string) => string): void => {
    files.set(file, Buffer.from(change(files.get(file)!.toString())));
  };

  edit("web_flask/0-hello_route.py", (t) =>
    replace(t, HELLO_ROUTE, HELLO_ROUTES[options.helloRoute], "0-hello_route.py"),
  );
  edit("web_dynamic/100-hbnb.py", (t) =>
    replace(t, "@app.route('/100-hbnb')", `@app.route('${options.pageRoute}')`, "100-hbnb.py"),
  );
  if (options.hardCodedApi) {
    edit("web_dynamic/static/scripts/100-hbnb.js", (t) => replace(t, "'/api/v1/", `'${HARD_CODED_API}`, "100-hbnb.js"));
    edit("web_dynamic/templates/100-hbnb.html", (t) =>
      replace(t, '<script src="/static/scripts/jquery.min.js">', `<script src="${CDN_JQUERY}">`, "100-hbnb.html"),
    );
  } else {
    // The page loads jQuery same-origin: the repository ships a copy (the npm package's).
    files.set(
      "web_dynamic/static/scripts/jquery.min.js",
      fs.readFileSync(require.resolve("jquery/dist/jquery.min.js")),
    );
  }
  return files;
}

/** The plain repository: one Flask app with a page, a JSON route and its own static directory. */
function plainFiles(): Map<string, Buffer> {
  const files: Record<string, string> = {
    "README.md": "A small Flask app.\n",
    "app.py": `#!/usr/bin/python3
"""A small Flask app: a page, a greeting and a JSON route"""
from flask import Flask, jsonify, render_template

app = Flask(__name__)


@app.route('/')
def index():
    """The page"""
    return render_template('index.html', title='Plain Flask')


@app.route('/hello')
def hello():
    """The greeting"""
    return '${HELLO}'


@app.route('/api/info')
def info():
    """What the app is, in JSON"""
    return jsonify({"app": "plain", "routes": ["/", "/hello", "/api/info"]})


if __name__ == '__main__':
    app.run(host='0.0.0.0', port=5000)
`,
    "templates/index.html": `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>{{ title }}</title>
    <link rel="stylesheet" href="/static/style.css">
  </head>
  <body>
    <h1>{{ title }}</h1>
  </body>
</html>
`,
    "static/style.css": "h1 {\n  color: #ff545f;\n}\n",
  };
  return new Map(Object.entries(files).map(([file, text]) => [file, Buffer.from(text)]));
}

/** Files of FIXTURE: path in the repository → content. */
export function fixtureFiles(fixture: FixtureRepo): Map<string, Buffer> {
  return fixture.kind === "plain" ? plainFiles() : classicFiles(fixture.options);
}

/**
 * git with no user or system configuration and a fixed identity. Each commit is dated one
 * hour after its parent, from 2024-01-01: the same history gives the same commit ids.
 */
function git(dir: string, args: string[], date?: string): string {
  const identity = { name: "HBnB Student", email: "student@hbnb.test" };
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_AUTHOR_NAME: identity.name,
      GIT_AUTHOR_EMAIL: identity.email,
      GIT_COMMITTER_NAME: identity.name,
      GIT_COMMITTER_EMAIL: identity.email,
      ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}),
    },
  }).trim();
}

/** Commits every change of DIR with MESSAGE; returns the new commit id. */
function commit(dir: string, message: string): string {
  const parents = git(dir, ["rev-list", "--all", "--count"]);
  // Git's own date format: seconds since the epoch and the zone (1704067200 is 2024-01-01).
  const date = `${1704067200 + 3600 * Number(parents)} +0000`;
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "--no-gpg-sign", "-m", message], date);
  return git(dir, ["rev-parse", "HEAD"]);
}

/** Writes a file of the repository; Python files executable, as the exercise asks. */
function writeFile(dir: string, file: string, content: Buffer | string): void {
  const full = path.join(dir, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, content);
  fs.chmodSync(full, file.endsWith(".py") ? 0o755 : 0o644);
}

/**
 * Writes FIXTURE into DIR (created if missing; must hold no repository yet) as a git repository
 * on branch main with one commit; returns the commit id.
 */
export function writeRepo(dir: string, fixture: FixtureRepo): string {
  fs.mkdirSync(dir, { recursive: true });
  if (fs.existsSync(path.join(dir, ".git"))) throw new Error(`fixture-repos: ${dir} already holds a repository`);
  git(dir, ["init", "-q", "-b", "main"]);
  for (const [file, content] of fixtureFiles(fixture)) writeFile(dir, file, content);
  return commit(dir, fixture.kind === "plain" ? "A small Flask app" : "AirBnB clone");
}

/** The file that says the hello text, and the file every app of the repository imports first. */
const HELLO_FILE = { classic: "web_flask/0-hello_route.py", plain: "app.py" };
const API_FILE = { classic: "api/v1/app.py", plain: "app.py" };

/** Adds a commit in which the hello text is TEXT; returns its id. */
export function commitHello(dir: string, fixture: FixtureRepo, text: string): string {
  const file = path.join(dir, HELLO_FILE[fixture.kind]);
  const current = fs.readFileSync(file, "utf8").match(/return '([^']*)'/)![1];
  fs.writeFileSync(file, replace(fs.readFileSync(file, "utf8"), `return '${current}'`, `return '${text}'`, file));
  return commit(dir, `Say ${text}`);
}

/**
 * Adds a commit whose API app (the plain repository's only app) cannot be imported: it imports
 * a module no package provides (ModuleNotFoundError: No module named 'flasgger_missing'), or it
 * has a syntax error. Returns the commit id.
 */
export function commitBrokenImport(
  dir: string,
  fixture: FixtureRepo,
  breakage: "missing-module" | "syntax-error" = "missing-module",
): string {
  const file = path.join(dir, API_FILE[fixture.kind]);
  const text = fs.readFileSync(file, "utf8");
  const broken =
    breakage === "missing-module"
      ? replace(text, "from flask import", "import flasgger_missing\nfrom flask import", file)
      : replace(text, "app = Flask(__name__)", "app = Flask(__name__", file);
  fs.writeFileSync(file, broken);
  return commit(dir, breakage === "missing-module" ? "Document the API with flasgger" : "Tidy the app");
}
