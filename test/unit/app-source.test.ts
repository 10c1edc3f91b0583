import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { shownUrl } from "../../core/app-source";
import { parseSettings, RawConfig, SettingsError } from "../../core/settings";

/**
 * The settings appSource, appRef and appSourceKey (core/app-source.ts, read by core/settings.ts):
 * what each form of appSource means, and a message naming the key, the value and the fix for each
 * mistake, before anything is fetched or created. A key is never shown.
 */
const root = path.join(__dirname, "..", "..");
const fixtures = path.join(__dirname, "..", "fixtures");
const privateKey = fs.readFileSync(path.join(fixtures, "id_ed25519"), "utf8");
const existing: RawConfig = { target: "existing", hosts: '["192.0.2.10"]', privateKey };
// A deploy key: any OpenSSH private key without passphrase (the fixture's is one).
const deployKey = privateKey;

const sourceOf = (raw: RawConfig) => parseSettings({ ...existing, ...raw }).app.source;

function problemsOf(raw: RawConfig): string[] {
  try {
    parseSettings({ ...existing, ...raw });
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  return [];
}

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-app-source-"));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe("what appSource names", () => {
  test("empty (the default): the bundled app", () => {
    expect(sourceOf({})).toEqual({ kind: "bundled" });
  });

  test("a directory, absolute or relative to Pulumi.yaml's directory", () => {
    expect(sourceOf({ appSource: work })).toEqual({ kind: "directory", dir: work });
    expect(sourceOf({ appSource: "files/app" })).toEqual({ kind: "directory", dir: path.join(root, "files", "app") });
  });

  test.each([
    ["https://github.com/owner/AirBnB_clone_v4.git", false],
    ["http://git.example.com/app.git", false],
    ["git://127.0.0.1:9418/app", false],
    ["ssh://git@github.com/owner/repo.git", true],
    ["git@github.com:owner/repo.git", true],
    ["github.com:owner/repo.git", true],
  ])("%s: a git repository (over SSH: %s)", (url, ssh) => {
    expect(sourceOf({ appSource: url, appRef: "v1.2.0" })).toEqual({ kind: "git", url, ref: "v1.2.0", ssh, key: "" });
  });

  test("file:// of a directory on this machine", () => {
    expect(sourceOf({ appSource: `file://${work}` })).toEqual({
      kind: "git",
      url: `file://${work}`,
      ref: "",
      ssh: false,
      key: "",
    });
  });

  test("a deploy key with an SSH URL, one trailing newline as ssh reads it", () => {
    const source = sourceOf({ appSource: "git@github.com:owner/repo.git", appSourceKey: deployKey.trim() });
    expect(source).toEqual({ kind: "git", url: "git@github.com:owner/repo.git", ref: "", ssh: true, key: deployKey });
  });
});

describe("mistakes, each with its fix", () => {
  test.each([
    [
      "a directory that does not exist",
      { appSource: "../no-such-app" },
      `hbnb-stack:appSource = "../no-such-app": no directory ${path.resolve(root, "../no-such-app")} on this machine (a relative path is taken from ${root}); expected a local directory, or a git URL (https://, http://, ssh://, git://, file://, or git@host:owner/repo.git)`,
    ],
    [
      "~, which no shell expands here",
      { appSource: "~/src/app" },
      `hbnb-stack:appSource = "~/src/app": ~ is not expanded; write the directory's full path, or a path relative to Pulumi.yaml`,
    ],
    [
      "an unknown URL scheme",
      { appSource: "ftp://example.com/app.git" },
      `hbnb-stack:appSource = "ftp://example.com/app.git": unknown URL scheme ftp://; expected a local directory, or a git URL (https://, http://, ssh://, git://, file://, or git@host:owner/repo.git)`,
    ],
    [
      "a file:// URL of nothing",
      { appSource: "file:///no/such/repo.git" },
      `hbnb-stack:appSource = "file:///no/such/repo.git": no directory /no/such/repo.git on this machine; write file:///absolute/path/to/repo.git`,
    ],
    [
      "a host that ssh would take as an option",
      { appSource: "ssh://-oProxyCommand=touch%20x/repo" },
      `hbnb-stack:appSource = "ssh://-oProxyCommand=touch%20x/repo": expected ssh://host/path/to/repo.git (a host that does not start with -)`,
    ],
    [
      "a space",
      { appSource: "https://example.com/my app.git" },
      `hbnb-stack:appSource = "https://example.com/my app.git": holds a space or a control character; expected a local directory, or a git URL (https://, http://, ssh://, git://, file://, or git@host:owner/repo.git)`,
    ],
    [
      "a ref with the bundled app",
      { appRef: "main" },
      `hbnb-stack:appRef = "main": a ref applies to a git appSource only, but appSource is empty (the bundled app); remove it (pulumi config rm appRef), or set appSource to the repository's URL`,
    ],
    [
      "a ref with a directory",
      { appSource: "files/app", appRef: "main" },
      `hbnb-stack:appRef = "main": a ref applies to a git appSource only, but appSource is a directory; remove it (pulumi config rm appRef), or set appSource to the repository's URL`,
    ],
    [
      "a ref git would take as an option",
      { appSource: "https://example.com/app.git", appRef: "--upload-pack=touch x" },
      `hbnb-stack:appRef = "--upload-pack=touch x": expected a branch, a tag or a commit as git names them (main, v1.2.0, 3f2c1ab); no spaces, no ~ ^ : ? * [ \\ or .., and no leading -`,
    ],
    [
      "a ref git refuses",
      { appSource: "https://example.com/app.git", appRef: "main~1" },
      `hbnb-stack:appRef = "main~1": expected a branch, a tag or a commit as git names them (main, v1.2.0, 3f2c1ab); no spaces, no ~ ^ : ? * [ \\ or .., and no leading -`,
    ],
    [
      "a key for a URL that is not SSH",
      { appSource: "https://example.com/app.git", appSourceKey: deployKey },
      `hbnb-stack:appSourceKey = (secret, hidden): a deploy key is for a repository reached over SSH (ssh://git@host/owner/repo.git or git@host:owner/repo.git), but appSource is "https://example.com/app.git"; remove it (pulumi config rm appSourceKey), or give the repository's SSH URL`,
    ],
    [
      "a key with the bundled app",
      { appSourceKey: deployKey },
      `hbnb-stack:appSourceKey = (secret, hidden): a deploy key is for a repository reached over SSH (ssh://git@host/owner/repo.git or git@host:owner/repo.git), but appSource is empty (the bundled app); remove it (pulumi config rm appSourceKey), or give the repository's SSH URL`,
    ],
    [
      "a key that is not a private key (the public half)",
      {
        appSource: "git@github.com:owner/repo.git",
        appSourceKey: fs.readFileSync(path.join(fixtures, "id_ed25519.pub"), "utf8"),
      },
      `hbnb-stack:appSourceKey = (secret, hidden): expected an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY----- ...), the deploy key's private half; set it with: pulumi config set --secret appSourceKey < deploy_key`,
    ],
  ])("%s", (_, raw, message) => {
    expect(problemsOf(raw)).toEqual([message]);
  });

  test("a key with a passphrase, which an unattended deploy cannot type; the key never in the message", () => {
    const file = path.join(work, "protected");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "a passphrase", "-f", file]);
    const key = fs.readFileSync(file, "utf8");
    const problems = problemsOf({ appSource: "git@github.com:owner/repo.git", appSourceKey: key });
    expect(problems).toEqual([
      "hbnb-stack:appSourceKey = (secret, hidden): the key is protected by a passphrase, which an unattended deploy cannot type; make a deploy key without one (ssh-keygen -t ed25519 -N '' -f deploy_key) and add deploy_key.pub to the repository",
    ]);
  });

  test("a password in a URL is hidden in every message", () => {
    const problems = problemsOf({ appSource: "https://deploy:s3cret@example.com/app.git", appRef: "bad ref" });
    expect(problems).toEqual([
      `hbnb-stack:appRef = "bad ref": expected a branch, a tag or a commit as git names them (main, v1.2.0, 3f2c1ab); no spaces, no ~ ^ : ? * [ \\ or .., and no leading -`,
    ]);
    expect(problemsOf({ appSource: "https://deploy:s3cret@example.com/my app.git" })).toEqual([
      `hbnb-stack:appSource = "https://deploy:(hidden)@example.com/my app.git": holds a space or a control character; expected a local directory, or a git URL (https://, http://, ssh://, git://, file://, or git@host:owner/repo.git)`,
    ]);
    expect(shownUrl("https://x-access-token:ghs_abc@github.com/o/r.git")).toBe(
      "https://x-access-token:(hidden)@github.com/o/r.git",
    );
  });
});
