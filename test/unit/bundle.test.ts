import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tar from "tar";
import * as zlib from "zlib";
import { APP_DIR, buildBundle } from "../../core/bundle";

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
