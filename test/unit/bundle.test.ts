import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tar from "tar";
import * as zlib from "zlib";
import { APP_DIR, buildBundle, OWN_APP_EXTRAS, releaseFiles, WSGI_WRAPPER } from "../../core/bundle";

/**
 * The release archive: the same app always gives the same bytes (so an unchanged app re-runs no
 * deploy step), and its static text files come with gzip twins for Nginx's gzip_static.
 */
let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-bundle-"));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Every file of an archive: path → content. */
function unpack(archive: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  tar.list({
    file: archive,
    sync: true,
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      entry.on("data", (chunk: Buffer) => chunks.push(chunk));
      entry.on("end", () => files.set(entry.path, Buffer.concat(chunks)));
    },
  });
  return files;
}

test("the same app, built twice apart, gives the same bytes and the same release id", () => {
  const first = buildBundle(path.join(work, "a"));
  const second = buildBundle(path.join(work, "b"));
  expect(second.release).toBe(first.release);
  expect(second.sha256).toBe(first.sha256);
  expect(fs.readFileSync(second.archive).equals(fs.readFileSync(first.archive))).toBe(true);
});

test("a changed file is a new release", () => {
  const app = path.join(work, "app");
  fs.cpSync(APP_DIR, app, { recursive: true });
  fs.appendFileSync(path.join(app, "hbnb", "static", "styles", "places.css"), "\n/* changed */\n");
  expect(buildBundle(path.join(work, "c"), app).release).not.toBe(buildBundle(path.join(work, "a")).release);
});

describe("gzip twins of the static files", () => {
  let files: Map<string, Buffer>;
  beforeAll(() => {
    files = unpack(buildBundle(path.join(work, "a")).archive);
  });

  test("every stylesheet and script has one, which unzips to the file itself", () => {
    const text = [...files.keys()].filter((f) => /^hbnb\/static\/.+\.(css|js)$/.test(f));
    expect(text).toEqual(
      expect.arrayContaining(["hbnb/static/scripts/jquery.min.js", "hbnb/static/styles/places.css"]),
    );
    for (const file of text) {
      const twin = files.get(`${file}.gz`);
      expect([file, twin !== undefined]).toEqual([file, true]);
      expect(zlib.gunzipSync(twin!).equals(files.get(file)!)).toBe(true);
      expect(twin!.length).toBeLessThan(files.get(file)!.length);
    }
  });

  test("they carry no time or file name (gzip header: mtime 0, no FNAME flag), at level 9", () => {
    const twin = files.get("hbnb/static/scripts/jquery.min.js.gz")!;
    expect(twin.readUInt32LE(4)).toBe(0);
    expect(twin[3] & 0x08).toBe(0);
    // XFL 2: the compressor used its slowest, best setting.
    expect(twin[8]).toBe(2);
  });

  test("images and code get none", () => {
    const twins = [...files.keys()].filter((f) => f.endsWith(".gz"));
    expect(twins.every((f) => /^hbnb\/static\/.+\.(css|js)\.gz$/.test(f))).toBe(true);
  });
});

describe("a user's app", () => {
  let app: string;
  const extras = OWN_APP_EXTRAS;
  beforeAll(() => {
    app = path.join(work, "own");
    fs.mkdirSync(path.join(app, "web_flask", "__pycache__"), { recursive: true });
    fs.mkdirSync(path.join(app, ".git", "objects"), { recursive: true });
    fs.writeFileSync(path.join(app, "web_flask", "0-hello_route.py"), "print('hello')\n");
    fs.writeFileSync(path.join(app, "web_flask", "__pycache__", "x.cpython-311.pyc"), "compiled");
    fs.writeFileSync(path.join(app, "models.pyc"), "compiled");
    fs.writeFileSync(path.join(app, ".git", "HEAD"), "ref: refs/heads/main\n");
  });

  test("the stack adds its WSGI wrapper at the release root, jQuery and the import check under _hbnb_stack/", () => {
    expect(OWN_APP_EXTRAS).toEqual({
      "hbnb_stack_wsgi.py": path.join(__dirname, "..", "..", "files", "wsgi", "hbnb_stack_wsgi.py"),
      "_hbnb_stack/jquery.min.js": require.resolve("jquery/dist/jquery.min.js"),
      "_hbnb_stack/check_imports.py": path.join(__dirname, "..", "..", "files", "wsgi", "check_imports.py"),
    });
  });

  test("its archive: the app's files, the stack's three, RELEASE; no .git, __pycache__ or .pyc", () => {
    const files = unpack(buildBundle(path.join(work, "own-build"), app, extras).archive);
    expect([...files.keys()]).toEqual([
      "RELEASE",
      "_hbnb_stack/check_imports.py",
      "_hbnb_stack/jquery.min.js",
      "hbnb_stack_wsgi.py",
      "web_flask/0-hello_route.py",
    ]);
    expect(files.get("hbnb_stack_wsgi.py")!.equals(fs.readFileSync(WSGI_WRAPPER))).toBe(true);
    expect(
      files.get("_hbnb_stack/jquery.min.js")!.equals(fs.readFileSync(require.resolve("jquery/dist/jquery.min.js"))),
    ).toBe(true);
  });

  test("a file of the app where the stack puts its own is named, not overwritten", () => {
    const clash = path.join(work, "clash");
    fs.mkdirSync(clash);
    fs.writeFileSync(path.join(clash, "hbnb_stack_wsgi.py"), "mine\n");
    expect(() => releaseFiles(clash, extras)).toThrow(
      `${path.join(clash, "hbnb_stack_wsgi.py")}: the stack puts a file of its own there in the release; rename the app's`,
    );
  });

  test("a symlink inside the app lands as a copy of what it points at; one outside it is refused", () => {
    const linked = path.join(work, "linked");
    fs.mkdirSync(path.join(linked, "web_flask", "static"), { recursive: true });
    fs.writeFileSync(path.join(linked, "web_flask", "static", "style.css"), "body {}\n");
    fs.symlinkSync("web_flask/static", path.join(linked, "static"));
    fs.symlinkSync("web_flask/static/style.css", path.join(linked, "style.css"));
    expect([...releaseFiles(linked, extras).keys()]).toEqual([
      "_hbnb_stack/check_imports.py",
      "_hbnb_stack/jquery.min.js",
      "hbnb_stack_wsgi.py",
      "static/style.css",
      "style.css",
      "web_flask/static/style.css",
    ]);
    fs.symlinkSync("/etc/hostname", path.join(linked, "outside"));
    expect(() => releaseFiles(linked, extras)).toThrow(
      `${path.join(linked, "outside")}: a symlink to something outside the app (or to nothing); the release carries the app's files only`,
    );
    fs.rmSync(path.join(linked, "outside"));
    fs.symlinkSync("..", path.join(linked, "web_flask", "up"));
    expect(() => releaseFiles(linked, extras)).toThrow(
      `${path.join(linked, "web_flask", "up")}: a symlink to a directory that holds it, which would hold itself without end`,
    );
  });
});
