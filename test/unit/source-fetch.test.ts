import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AppSource } from "../../core/app-source";
import { APP_DIR, buildBundle, BUNDLED_APP_EXTRAS } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan } from "../../core/plan";
import { parseSettings } from "../../core/settings";
import { fetchSource, sourceBundle, SourceError } from "../../source/fetch";
import { PRESETS, writeRepo } from "../e2e/fixture-repos";
import { commit, filesOf, git, gitDaemon, initRepo, Server } from "./git-fixtures";

/**
 * The app's source fetched where the program runs (source/fetch.ts), from repositories the tests
 * write with git and serve with git's own daemon on 127.0.0.1, and by file:// and local paths.
 * (An SSH repository with a deploy key: source-ssh.test.ts.)
 */
let work: string;
let repos: string;
let repo: string;
let daemon: Server;
const commits: Record<string, string> = {};

const gitSource = (url: string, ref = ""): AppSource => ({ kind: "git", url, ref, ssh: false, key: "" });
const daemonUrl = () => `git://127.0.0.1:${daemon.port}/app`;

/** The commit's files as git lists them: what an export must hold, exactly. */
const committed = (ref: string) => git(repo, "ls-tree", "-r", "--name-only", ref).split("\n").sort();

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-source-"));
  repos = path.join(work, "repos");
  repo = path.join(repos, "app");
  initRepo(repo);
  commits.first = commit(repo, "first", {
    "app.py": "from flask import Flask\napp = Flask(__name__)\n",
    "web_flask/0-hello_route.py": "print('hello')\n",
    ".gitignore": "*.env\n",
  });
  git(repo, "tag", "v1");
  commits.second = commit(repo, "second", { "app.py": "from flask import Flask\napp = Flask('second')\n" });
  git(repo, "switch", "--quiet", "-c", "feature");
  commits.feature = commit(repo, "feature", { "feature.py": "x = 1\n" });
  git(repo, "switch", "--quiet", "main");
  // In the work tree only: neither committed nor ignored files belong in a release.
  fs.writeFileSync(path.join(repo, "local.env"), "SECRET=1\n");
  fs.writeFileSync(path.join(repo, "untracked.py"), "y = 2\n");
  daemon = await gitDaemon(repos);
});

afterAll(async () => {
  await daemon?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("a git repository", () => {
  test("HEAD (no appRef): the default branch's commit, its committed files exactly, no .git", () => {
    const fetched = fetchSource(gitSource(daemonUrl()), path.join(work, "head"));
    expect(fetched).toEqual({
      dir: path.join(work, "head", "sources", commits.second),
      commit: commits.second,
      reused: false,
    });
    expect(filesOf(fetched.dir)).toEqual(committed(commits.second));
    expect(filesOf(fetched.dir)).toEqual([".gitignore", "app.py", "web_flask/0-hello_route.py"]);
    expect(fs.readFileSync(path.join(fetched.dir, "app.py"), "utf8")).toBe(
      "from flask import Flask\napp = Flask('second')\n",
    );
  });

  test.each([
    ["a branch", "feature", "feature"],
    ["a tag", "v1", "first"],
    ["a full commit", "<first>", "first"],
    ["a short commit", "<first:7>", "first"],
  ])("%s: its commit", (_, ref, expected) => {
    const name = ref.replace(/<(\w+)(?::(\d+))?>/, (_m, c: string, n?: string) => commits[c].slice(0, Number(n ?? 40)));
    const fetched = fetchSource(gitSource(daemonUrl(), name), path.join(work, "refs"));
    expect(fetched.commit).toBe(commits[expected]);
    expect(filesOf(fetched.dir)).toEqual(committed(commits[expected]));
  });

  test("a name that is both a branch and a tag: the branch", () => {
    fs.cpSync(repo, path.join(repos, "both"), { recursive: true });
    git(path.join(repos, "both"), "tag", "feature", commits.first);
    const url = `git://127.0.0.1:${daemon.port}/both`;
    expect(fetchSource(gitSource(url, "feature"), path.join(work, "both")).commit).toBe(commits.feature);
  });

  test("a ref that is not there: an error naming the ref, the repository, its branches and tags", () => {
    expect(() => fetchSource(gitSource(daemonUrl(), "nope"), path.join(work, "bad-ref"))).toThrow(
      new SourceError(
        `hbnb-stack:appRef = "nope": no branch, tag or commit nope in ${daemonUrl()}; its branches: feature, main; its tags: v1; set appRef to one of them, or empty for the repository's HEAD`,
      ),
    );
  });

  test("the same commit again: the same release, from the tree exported the first time, nothing fetched anew", () => {
    const build = path.join(work, "again");
    const source = gitSource(daemonUrl(), "main");
    const first = fetchSource(source, build);
    const cache = fs.readdirSync(path.join(build, "sources")).find((f) => f.endsWith(".git"))!;
    const objects = () =>
      execFileSync("git", ["-C", path.join(build, "sources", cache), "count-objects", "-v"], { encoding: "utf8" });
    const before = { objects: objects(), inode: fs.statSync(first.dir).ino };
    const bundle = sourceBundle({ source, layout: "classic" }, build);

    const second = fetchSource(source, build);
    expect(second).toEqual({ ...first, reused: true });
    expect({ objects: objects(), inode: fs.statSync(second.dir).ino }).toEqual(before);
    expect(sourceBundle({ source, layout: "classic" }, build)).toEqual(bundle);
  });

  test("a new commit that changes a file: a new commit, a new release; the cache is reused", () => {
    fs.cpSync(repo, path.join(repos, "moving"), { recursive: true });
    const url = `git://127.0.0.1:${daemon.port}/moving`;
    const build = path.join(work, "new-commit");
    const old = sourceBundle({ source: gitSource(url), layout: "classic" }, build);
    const next = commit(path.join(repos, "moving"), "third", { "app.py": "app = 'third'\n" });

    const after = fetchSource(gitSource(url), build);
    expect(after).toEqual({ dir: path.join(build, "sources", next), commit: next, reused: false });
    expect(sourceBundle({ source: gitSource(url), layout: "classic" }, build).release).not.toBe(old.release);
    expect(fs.readdirSync(path.join(build, "sources")).filter((f) => f.endsWith(".git"))).toHaveLength(1);
  });

  test("a commit that changes no file of the app: the same release id", () => {
    fs.cpSync(repo, path.join(repos, "same"), { recursive: true });
    const url = `git://127.0.0.1:${daemon.port}/same`;
    const build = path.join(work, "same-content");
    const before = sourceBundle({ source: gitSource(url), layout: "classic" }, build);
    git(path.join(repos, "same"), "commit", "--quiet", "--allow-empty", "-m", "nothing changed");
    const after = fetchSource(gitSource(url), build);
    expect(after.reused).toBe(false);
    expect(sourceBundle({ source: gitSource(url), layout: "classic" }, build).release).toBe(before.release);
  });

  test("a repository whose HEAD names no branch: a branch fetches; no appRef says to set one", () => {
    fs.cpSync(repo, path.join(repos, "headless"), { recursive: true });
    git(path.join(repos, "headless"), "symbolic-ref", "HEAD", "refs/heads/gone");
    const url = `git://127.0.0.1:${daemon.port}/headless`;
    expect(fetchSource(gitSource(url, "main"), path.join(work, "headless")).commit).toBe(commits.second);
    expect(() => fetchSource(gitSource(url), path.join(work, "headless"))).toThrow(
      new SourceError(
        `hbnb-stack:appSource = "${url}": git could not fetch it:\nfatal: couldn't find remote ref HEAD\nThe repository has no HEAD (it is empty, or its HEAD names a branch that does not exist): set appRef to a branch, a tag or a commit.`,
      ),
    );
  });

  test("a file:// URL: the same commit and files as over git's daemon", () => {
    const fetched = fetchSource(gitSource(`file://${repo}`, "v1"), path.join(work, "file-url"));
    expect(fetched.commit).toBe(commits.first);
    expect(filesOf(fetched.dir)).toEqual(committed(commits.first));
  });
});

test("a classic repository (test/e2e/fixture-repos.ts) over git's daemon: the plan finds the exercise's four apps", () => {
  const commitId = writeRepo(path.join(repos, "classic"), PRESETS.classicFile);
  const settings = parseSettings({
    target: "existing",
    hosts: '["192.0.2.10"]',
    privateKey: fs.readFileSync(path.join(__dirname, "..", "fixtures", "id_ed25519"), "utf8"),
    appSource: `git://127.0.0.1:${daemon.port}/classic`,
    layout: "classic",
  });
  const build = path.join(work, "classic-build");
  expect(fetchSource(settings.app.source, build).commit).toBe(commitId);
  const plan = buildPlan(settings, sourceBundle(settings.app, build), loadServerFiles());
  expect(plan.layout.services.map((s) => [s.name, s.app])).toEqual([
    ["hello", "web_flask.0-hello_route:app"],
    ["number", "web_flask.6-number_odd_or_even:app"],
    ["api", "api.v1.app:app"],
    ["page", "web_dynamic.100-hbnb:app"],
  ]);
});

describe("a server that cannot be reached", () => {
  let closedPort: number;
  beforeAll(async () => {
    // A port that was just listening and no longer is: connections to it are refused.
    const gone = await gitDaemon(repos);
    closedPort = gone.port;
    await gone.stop();
  });

  test("stops with the repository, git's words, and what to check", () => {
    const url = `git://127.0.0.1:${closedPort}/app`;
    let message = "";
    try {
      fetchSource(gitSource(url), path.join(work, "unreachable"));
    } catch (error) {
      expect(error).toBeInstanceOf(SourceError);
      message = (error as Error).message;
    }
    expect(message.split("\n")[0]).toBe(`hbnb-stack:appSource = "${url}": git could not fetch it:`);
    expect(message).toMatch(/unable to connect to 127\.0\.0\.1:\n.*Connection refused/);
    expect(message.split("\n").at(-1)).toBe(
      "Check the URL, that this machine reaches the server, and whether the repository is private: use its SSH URL with a deploy key (appSourceKey).",
    );
  });

  test("a password in the URL never shows in the message", () => {
    const url = `http://deploy:s3cret-token@127.0.0.1:${closedPort}/app.git`;
    let message = "";
    try {
      fetchSource(gitSource(url), path.join(work, "password"));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n")[0]).toBe(
      `hbnb-stack:appSource = "http://deploy:(hidden)@127.0.0.1:${closedPort}/app.git": git could not fetch it:`,
    );
    expect(message).toMatch(/Failed to connect to 127\.0\.0\.1 port \d+/);
    expect(message).not.toContain("s3cret");
  });
});

test("no git on this machine: the message says to install it", () => {
  const path_ = process.env.PATH;
  fs.mkdirSync(path.join(work, "no-git"));
  process.env.PATH = path.join(work, "no-git");
  try {
    expect(() => fetchSource(gitSource(daemonUrl()), path.join(work, "no-git-build"))).toThrow(
      new SourceError(
        `hbnb-stack:appSource = "${daemonUrl()}": a git repository, but git is not installed on this machine; install it (apt-get install git), or set appSource to a directory`,
      ),
    );
  } finally {
    process.env.PATH = path_;
  }
});

describe("a local directory and the bundled app", () => {
  test("a directory is taken as it is, uncommitted files too; a user's layout adds the stack's files", () => {
    const build = path.join(work, "dir");
    expect(fetchSource({ kind: "directory", dir: repo }, build)).toEqual({ dir: repo });
    expect(sourceBundle({ source: { kind: "directory", dir: repo }, layout: "custom" }, build).files).toEqual([
      "_hbnb_stack/check_imports.py",
      "_hbnb_stack/jquery.min.js",
      "app.py",
      "hbnb_stack_wsgi.py",
      "local.env",
      "untracked.py",
      "web_flask/0-hello_route.py",
    ]);
  });

  test("the bundled app: files/app, bundled as it always was", () => {
    expect(fetchSource({ kind: "bundled" }, path.join(work, "bundled"))).toEqual({ dir: APP_DIR });
    const direct = buildBundle(path.join(work, "bundled-direct"), APP_DIR, BUNDLED_APP_EXTRAS);
    expect(sourceBundle({ source: { kind: "bundled" }, layout: "bundled" }, path.join(work, "bundled"))).toEqual({
      ...direct,
      archive: path.join(work, "bundled", `${direct.release}.tar.gz`),
    });
  });

  test("a copy of files/app under the bundled layout: the bundled app's release, byte for byte", () => {
    const copy = path.join(work, "copy-of-app");
    fs.cpSync(APP_DIR, copy, { recursive: true });
    const source: AppSource = { kind: "directory", dir: copy };
    const bundled = sourceBundle({ source: { kind: "bundled" }, layout: "bundled" }, path.join(work, "copy-a"));
    const copied = sourceBundle({ source, layout: "bundled" }, path.join(work, "copy-b"));
    expect({ ...copied, archive: "" }).toEqual({ ...bundled, archive: "" });
  });
});
