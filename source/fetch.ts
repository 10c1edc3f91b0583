import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tar from "tar";
import { AppSource, shownUrl } from "../core/app-source";
import { APP_DIR, BUILD_DIR, buildBundle, Bundle, BUNDLED_APP_EXTRAS, OWN_APP_EXTRAS } from "../core/bundle";
import { AppSettings, PROJECT } from "../core/settings";

/**
 * The app's files on the machine that runs the program, from the app source of the settings: the
 * bundled app and a directory as they are; a git repository fetched into a cache of its own
 * (BUILD_DIR/sources/<hash of the URL>.git, a bare repository fetched again at every run), its
 * ref resolved to a commit and that commit's tree exported (`git archive`: the committed files
 * only, no .git) into BUILD_DIR/sources/<commit>, kept for the next run. The servers get the
 * release archive made from it (core/bundle.ts), never git or the repository.
 *
 * Both drivers call sourceBundle (index.ts, local/server.ts). It runs git, so it lives outside
 * core/ (test/unit/core.test.ts: core starts no process), and outside components/ and local/,
 * each of which is one driver's own.
 */

export interface FetchedApp {
  /** The app's files on this machine. */
  dir: string;
  /** The commit a git source resolved to. */
  commit?: string;
  /** Whether the commit's tree was exported already by an earlier run (nothing exported again). */
  reused?: boolean;
}

/** A source that could not be fetched: the message names the key, the value and the fix; never a secret. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceError";
  }
}

/** A fetch that hangs (a server that accepts and never answers) stops after this long. */
const GIT_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * The release bundle of APP's settings: its source fetched, then bundled (core/bundle.ts) with
 * what its layout runs it with: the bundled layout the app's own hbnb.wsgi (files/app, or a copy
 * of it) and its jQuery; classic and custom the stack's WSGI wrapper and the vendored jQuery.
 */
export function sourceBundle(app: Pick<AppSettings, "source" | "layout">, buildDir = BUILD_DIR): Bundle {
  const { dir } = fetchSource(app.source, buildDir);
  return buildBundle(buildDir, dir, app.layout === "bundled" ? BUNDLED_APP_EXTRAS : OWN_APP_EXTRAS);
}

/** The app's files of SOURCE on this machine; a git source is fetched into buildDir/sources. */
export function fetchSource(source: AppSource, buildDir = BUILD_DIR): FetchedApp {
  if (source.kind === "bundled") return { dir: APP_DIR };
  if (source.kind === "directory") return { dir: source.dir };
  const sources = path.join(buildDir, "sources");
  fs.mkdirSync(sources, { recursive: true });
  const git = new Git(source, sources);
  try {
    const commit = git.resolve();
    const dir = path.join(sources, commit);
    if (fs.existsSync(dir)) return { dir, commit, reused: true };
    git.exportTree(commit, dir);
    return { dir, commit, reused: false };
  } finally {
    git.close();
  }
}

type GitSource = Extract<AppSource, { kind: "git" }>;

/** git on one repository's cache, with the source's credentials for as long as it runs. */
class Git {
  private readonly cache: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly keyDir?: string;
  /** The SSH host keys this stack trusts, by host. */
  private readonly knownHosts: string;
  private readonly repo: string;

  constructor(
    private readonly source: GitSource,
    sources: string,
  ) {
    this.repo = shownUrl(source.url);
    const hash = crypto.createHash("sha256").update(source.url).digest("hex").slice(0, 16);
    this.cache = path.join(sources, `${hash}.git`);
    this.knownHosts = path.join(sources, "known_hosts");
    // Never a prompt: a deploy runs unattended, and a prompt would hang it. C: git's own words.
    this.env = { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };
    if (source.ssh) {
      // A host is trusted at its first fetch and its key kept in a file of the stack's, by name
      // (not hashed: the file says which hosts are trusted); a changed key afterwards stops the
      // fetch (ssh's "REMOTE HOST IDENTIFICATION HAS CHANGED").
      const options = [
        "-o BatchMode=yes",
        // A host that never answers fails in seconds, not after the kernel's two minutes.
        "-o ConnectTimeout=30",
        "-o StrictHostKeyChecking=accept-new",
        `-o UserKnownHostsFile=${quote(this.knownHosts)}`,
        "-o HashKnownHosts=no",
      ];
      if (source.key !== "") {
        // The deploy key in a file only this user reads, removed in close(); only that key is offered.
        this.keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-source-key-"));
        const keyFile = path.join(this.keyDir, "deploy_key");
        fs.writeFileSync(keyFile, source.key, { mode: 0o600 });
        options.push(`-i ${quote(keyFile)}`, "-o IdentitiesOnly=yes");
      }
      this.env.GIT_SSH_COMMAND = `ssh ${options.join(" ")}`;
    }
  }

  close(): void {
    if (this.keyDir !== undefined) fs.rmSync(this.keyDir, { recursive: true, force: true });
  }

  /** The commit of the source's ref, fetching first unless the ref is a full commit in the cache already. */
  resolve(): string {
    if (!fs.existsSync(path.join(this.cache, "HEAD"))) this.run(["init", "--quiet", "--bare", this.cache]);
    const ref = this.source.ref;
    const commitId = /^[0-9a-f]{40}$/.test(ref);
    if (!(commitId && this.commitOf(ref) !== undefined)) this.fetch(ref === "");
    if (ref === "") return this.commitOf("refs/source/HEAD")!;
    const found =
      this.commitOf(`refs/heads/${ref}`) ??
      this.commitOf(`refs/tags/${ref}`) ??
      (/^[0-9a-f]{4,40}$/.test(ref) ? this.commitOf(ref) : undefined) ??
      (commitId ? this.fetchCommit(ref) : undefined);
    if (found === undefined) {
      throw new SourceError(
        `${PROJECT}:appRef = ${JSON.stringify(ref)}: no branch, tag or commit ${ref} in ${this.repo}; ${this.known()}; set appRef to one of them, or empty for the repository's HEAD`,
      );
    }
    return found;
  }

  /**
   * Every branch and tag of the repository (the remote's deleted ones pruned), and its HEAD when
   * asked for: only then, since a server's HEAD may name a branch that does not exist.
   */
  private fetch(head: boolean): void {
    this.run(
      [
        "-C",
        this.cache,
        "fetch",
        "--quiet",
        "--no-write-fetch-head",
        "--prune",
        "--no-tags",
        "--",
        this.source.url,
        ...(head ? ["+HEAD:refs/source/HEAD"] : []),
        "+refs/heads/*:refs/heads/*",
        "+refs/tags/*:refs/tags/*",
      ],
      "fetch",
    );
  }

  /** A commit that no branch or tag holds (an old one, say): asked for by its id, where the server allows it. */
  private fetchCommit(commit: string): string | undefined {
    try {
      this.run([
        "-C",
        this.cache,
        "fetch",
        "--quiet",
        "--no-write-fetch-head",
        "--",
        this.source.url,
        `+${commit}:refs/source/commit`,
      ]);
    } catch {
      return undefined;
    }
    return this.commitOf(commit);
  }

  private commitOf(name: string): string | undefined {
    try {
      return this.run(["-C", this.cache, "rev-parse", "--verify", "--quiet", `${name}^{commit}`]).trim();
    } catch {
      return undefined;
    }
  }

  /** The repository's branches and tags, for a message (ten of each at most). */
  private known(): string {
    const names = (prefix: string) => {
      const all = this.run(["-C", this.cache, "for-each-ref", "--format=%(refname:lstrip=2)", prefix])
        .split("\n")
        .filter((name) => name !== "");
      return all.length === 0 ? "none" : all.slice(0, 10).join(", ") + (all.length > 10 ? ", ..." : "");
    };
    return `its branches: ${names("refs/heads/")}; its tags: ${names("refs/tags/")}`;
  }

  /** The commit's tree, as `git archive` writes it, into DIR (through a partial directory, renamed). */
  exportTree(commit: string, dir: string): void {
    const partial = `${dir}.${process.pid}.partial`;
    const archive = `${partial}.tar`;
    try {
      this.run(["-C", this.cache, "archive", "--format=tar", `--output=${archive}`, commit]);
      fs.mkdirSync(partial, { recursive: true });
      tar.extract({ file: archive, cwd: partial, sync: true });
      try {
        fs.renameSync(partial, dir);
      } catch (error) {
        // Another run exported the same commit meanwhile: the same files, kept.
        if (!fs.existsSync(dir)) throw error;
      }
    } finally {
      fs.rmSync(partial, { recursive: true, force: true });
      fs.rmSync(archive, { force: true });
    }
  }

  /** Runs git; a failure of the fetch names the repository, git's words, and what to check. */
  private run(args: string[], what?: "fetch"): string {
    try {
      return execFileSync("git", args, {
        env: this.env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: GIT_TIMEOUT_MS,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        throw new SourceError(
          `${PROJECT}:appSource = ${JSON.stringify(this.repo)}: a git repository, but git is not installed on this machine; install it (apt-get install git), or set appSource to a directory`,
        );
      }
      if (what !== "fetch") throw error;
      const failure = error as { stderr?: string; signal?: string };
      const said = this.scrub(failure.stderr ?? "").trim() || `no answer within ${GIT_TIMEOUT_MS / 60000} minutes`;
      throw new SourceError(
        `${PROJECT}:appSource = ${JSON.stringify(this.repo)}: git could not fetch it:\n${said}\n${this.hint(said)}`,
      );
    }
  }

  /** What to check, after git's words SAID. */
  private hint(said: string): string {
    if (said.includes("couldn't find remote ref HEAD")) {
      return "The repository has no HEAD (it is empty, or its HEAD names a branch that does not exist): set appRef to a branch, a tag or a commit.";
    }
    if (said.includes("Host key verification failed")) {
      return `The server's SSH host key is not the one this stack trusted at its first fetch (kept in ${this.knownHosts}): if the server's key changed on purpose, remove its line there; otherwise, do not deploy from this server.`;
    }
    const access = this.source.ssh
      ? this.source.key !== ""
        ? "the deploy key (appSourceKey) is not one the repository accepts"
        : "the repository needs a key: set appSourceKey (pulumi config set --secret appSourceKey < deploy_key)"
      : "the repository is private: use its SSH URL with a deploy key (appSourceKey)";
    return `Check the URL, that this machine reaches the server, and whether ${access}.`;
  }

  /** git's words with the URL's password (if any) hidden. */
  private scrub(text: string): string {
    const password = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/@:]*:([^/@]*)@/.exec(this.source.url)?.[1];
    let scrubbed = text.split(this.source.url).join(this.repo);
    if (password) scrubbed = scrubbed.split(password).join("(hidden)");
    return scrubbed;
  }
}

/** A word for the shell that runs GIT_SSH_COMMAND. */
function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
