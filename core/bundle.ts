import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as tar from "tar";
import * as zlib from "zlib";
import { VENDOR_DIR, WRAPPER_MODULE } from "./services";

/**
 * The release bundle: the app (files/app/, or a user's app as source/fetch.ts fetched it) plus
 * the files the stack adds to it, packed as one reproducible tar.gz whose name carries a content
 * hash. Same app, same bytes, same release id: so an unchanged app re-runs no deploy step, and any
 * change to it is a new release.
 */

export interface Bundle {
  /** "r-" and 12 hex digits of the content hash. */
  release: string;
  /** The archive on this machine. */
  archive: string;
  /** sha256 of the archive, checked on the server before it is unpacked. */
  sha256: string;
  /** The paths in the release, sorted: where the plan finds a user's app's services. */
  files: string[];
}

const root = path.join(__dirname, "..");
export const APP_DIR = path.join(root, "files", "app");

/** Files that never belong in a release: git's own, caches and editors' leftovers. */
const IGNORED = /(^|\/)(\.git|__pycache__|\.pytest_cache|\.gitignore|RELEASE)(\/|$)|\.py[co]$|~$/;

const JQUERY = require.resolve("jquery/dist/jquery.min.js");

/** Files the stack adds to an app's own: path inside the release → file on this machine. */
export type Extras = Record<string, string>;

/** The bundled app's: the jQuery it serves from /static/, from npm rather than from a CDN. */
export const BUNDLED_APP_EXTRAS: Extras = { "hbnb/static/scripts/jquery.min.js": JQUERY };

/** The stack's WSGI wrapper: the health route and the route mapping around a user's app. */
export const WSGI_WRAPPER = path.join(root, "files", "wsgi", `${WRAPPER_MODULE}.py`);

/**
 * A user's app's: the wrapper at the release root, where Gunicorn imports it from; under a
 * directory of the stack's own, jQuery for pages that load it from a CDN (the site's rewrite),
 * and the import check the release step runs before it unpacks (files/scripts/release.sh).
 */
export const OWN_APP_EXTRAS: Extras = {
  [`${WRAPPER_MODULE}.py`]: WSGI_WRAPPER,
  [`${VENDOR_DIR}/jquery.min.js`]: JQUERY,
  [`${VENDOR_DIR}/check_imports.py`]: path.join(root, "files", "wsgi", "check_imports.py"),
};

/** Every file of the release: path inside the release → file on this machine. */
export function releaseFiles(appDir = APP_DIR, extras: Extras = BUNDLED_APP_EXTRAS): Map<string, string> {
  const files = new Map<string, string>();
  const realApp = fs.realpathSync(appDir);
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(appDir, full).split(path.sep).join("/");
      if (IGNORED.test(rel)) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.set(rel, full);
      else if (entry.isSymbolicLink()) followLink(full, rel);
    }
  };
  // A symlink of a user's repository (a shared static directory, say) lands in the release as a
  // copy of what it points at, as long as that is inside the app: the release holds no link.
  const followLink = (link: string, rel: string): void => {
    const target = fs.existsSync(link) ? fs.realpathSync(link) : undefined;
    const inside = target !== undefined && (target === realApp || target.startsWith(`${realApp}${path.sep}`));
    if (!inside)
      throw new Error(
        `${link}: a symlink to something outside the app (or to nothing); the release carries the app's files only`,
      );
    if (fs.statSync(target).isFile()) return void files.set(rel, link);
    if (`${fs.realpathSync(path.dirname(link))}${path.sep}`.startsWith(`${target}${path.sep}`)) {
      throw new Error(`${link}: a symlink to a directory that holds it, which would hold itself without end`);
    }
    walk(link);
  };
  walk(appDir);
  for (const [rel, source] of Object.entries(extras)) {
    // The stack's file would silently take the place of the app's own: name it instead.
    if (files.has(rel)) {
      throw new Error(
        `${path.join(appDir, rel)}: the stack puts a file of its own there in the release; rename the app's`,
      );
    }
    if (!fs.existsSync(source)) throw new Error(`${source} is missing: the stack's file for ${rel} in the release`);
    files.set(rel, source);
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Static files in text formats, compressed ahead of time: Nginx sends the `.gz` twin as it is
 * (`gzip_static on` in the site's /static/ location) to every client that accepts gzip, so no
 * CPU is spent compressing per request and the bytes on the wire shrink (jQuery: 87 KB to 30 KB).
 * Images (PNG) are compressed already; gzip would only add bytes.
 */
const PRECOMPRESSED = /^hbnb\/static\/.+\.(css|js|svg|html|json|txt)$/;

/**
 * The gzip twin of a file, or undefined when gzip would not make it smaller (a few bytes of CSS).
 * Level 9: compressed once per release, read by every client. Node writes no file name and a
 * zero mtime in the gzip header, so the same file always gives the same bytes.
 */
export function gzipTwin(data: Buffer): Buffer | undefined {
  const gz = zlib.gzipSync(data, { level: 9 });
  return gz.length < data.length ? gz : undefined;
}

/**
 * Everything the archive holds but its RELEASE file, by path inside the release, sorted: the
 * app's files and the gzip twins of its static text files.
 */
export function releaseContents(appDir = APP_DIR, extras: Extras = BUNDLED_APP_EXTRAS): Map<string, Buffer> {
  const contents = new Map<string, Buffer>();
  for (const [rel, source] of releaseFiles(appDir, extras)) {
    const data = fs.readFileSync(source);
    contents.set(rel, data);
    const twin = PRECOMPRESSED.test(rel) ? gzipTwin(data) : undefined;
    if (twin) contents.set(`${rel}.gz`, twin);
  }
  return new Map([...contents].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The hash covers the twins too: a change in how they are made is a new release that unpacks anew. */
export function releaseId(contents: Map<string, Buffer>): string {
  const hash = crypto.createHash("sha256");
  for (const [rel, data] of contents) hash.update(rel).update("\0").update(data).update("\0");
  return `r-${hash.digest("hex").slice(0, 12)}`;
}

/** Where the archives (and source/fetch.ts's git caches and trees) are kept on this machine. */
export const BUILD_DIR = path.join(root, ".build");

/** Builds (or reuses) the archive of the app in appDir, with EXTRAS, in buildDir. */
export function buildBundle(buildDir = BUILD_DIR, appDir = APP_DIR, extras: Extras = BUNDLED_APP_EXTRAS): Bundle {
  const contents = releaseContents(appDir, extras);
  const release = releaseId(contents);
  const archive = path.join(buildDir, `${release}.tar.gz`);
  if (!fs.existsSync(archive)) {
    fs.mkdirSync(buildDir, { recursive: true });
    const stage = fs.mkdtempSync(path.join(buildDir, "stage-"));
    try {
      for (const [rel, data] of contents) {
        fs.mkdirSync(path.dirname(path.join(stage, rel)), { recursive: true });
        fs.writeFileSync(path.join(stage, rel), data);
        fs.chmodSync(path.join(stage, rel), 0o644);
      }
      // The app reads its own release id from this file: the health check proves which code answers.
      fs.writeFileSync(path.join(stage, "RELEASE"), `${release}\n`, { mode: 0o644 });
      const entries = ["RELEASE", ...contents.keys()];
      // Fixed mtimes and no owner names: the same files always give the same bytes.
      const partial = `${archive}.${process.pid}.partial`;
      tar.create({ sync: true, gzip: true, portable: true, mtime: new Date(0), cwd: stage, file: partial }, entries);
      fs.renameSync(partial, archive);
    } finally {
      fs.rmSync(stage, { recursive: true, force: true });
    }
  }
  const sha256 = crypto.createHash("sha256").update(fs.readFileSync(archive)).digest("hex");
  return { release, archive, sha256, files: [...contents.keys()] };
}
