import * as fs from "fs";
import * as path from "path";

/**
 * Where the app of a release comes from (the settings appSource, appRef and appSourceKey): the
 * bundled app, a directory on the machine that runs the program, or a git repository fetched
 * there (source/fetch.ts). Pure reading of the three values: what they mean and whether they
 * make sense together; no git runs here.
 */

export type AppSource =
  /** files/app, as the stack has always deployed. */
  | { kind: "bundled" }
  /** A directory of the app's files, absolute, taken as it is. */
  | { kind: "directory"; dir: string }
  | {
      kind: "git";
      url: string;
      /** Branch, tag or commit; "" for the remote's HEAD. */
      ref: string;
      /** Whether git reaches the repository over SSH (ssh:// or git@host:path). */
      ssh: boolean;
      /** OpenSSH private key (deploy key) for SSH; "" for none. A secret: never shown. */
      key: string;
    };

/** The schemes git fetches from that a stack may name. */
export const GIT_SCHEMES = ["https", "http", "ssh", "git", "file"];

/**
 * git's scp-like syntax, `[user@]host:path`: only when no slash comes before the first colon
 * (git's connect.c, `url_is_local_not_ssh`). A host or user that starts with `-` would reach ssh
 * as an option: git refuses those (CVE-2017-1000117), and so does this.
 */
const SCP_LIKE = /^(?:([^@/:\s-][^@/:\s]*)@)?(\[[^\]/\s]+\]|[^@/:\s-][^@/:\s]*):([^\s]+)$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** A URL as messages show it: a password in it (https://user:token@host/...) is hidden. */
export function shownUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/, "$1:(hidden)@");
}

/**
 * A ref as git's check-ref-format takes it (refs.c, `check_refname_component`), and never an
 * option: no leading `-`.
 */
function isRefName(ref: string): boolean {
  return (
    /^[^\s~^:?*[\\]+$/.test(ref) &&
    !/\p{Cc}/u.test(ref) &&
    !ref.startsWith("-") &&
    !ref.startsWith("/") &&
    !ref.endsWith("/") &&
    !ref.endsWith(".") &&
    !ref.includes("..") &&
    !ref.includes("//") &&
    !ref.includes("@{") &&
    ref !== "@" &&
    ref.split("/").every((part) => !part.startsWith(".") && !part.endsWith(".lock"))
  );
}

/**
 * Whether an OpenSSH-format private key is protected by a passphrase: its header names a cipher
 * other than "none" (OpenSSH's PROTOCOL.key: "openssh-key-v1\0", then the cipher's name as a
 * length-prefixed string). A deploy runs unattended and cannot type one.
 */
function hasPassphrase(key: string): boolean {
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]+?)-----END OPENSSH PRIVATE KEY-----/.exec(key)?.[1];
  if (body === undefined) return /^Proc-Type: 4,ENCRYPTED$/m.test(key);
  const data = Buffer.from(body.replace(/\s+/g, ""), "base64");
  const magic = "openssh-key-v1\0";
  if (data.length < magic.length + 4 || data.subarray(0, magic.length).toString("latin1") !== magic) return false;
  const length = data.readUInt32BE(magic.length);
  return data.subarray(magic.length + 4, magic.length + 4 + length).toString("latin1") !== "none";
}

const PRIVATE_KEY = /^-----BEGIN (OPENSSH|RSA|EC) PRIVATE KEY-----\n[\s\S]+\n-----END \1 PRIVATE KEY-----\n$/;

export interface SourceValues {
  appSource: string;
  appRef: string;
  appSourceKey: string;
}

/**
 * The app source the values name, and every problem with them (each naming the key, the value and
 * the fix; a key is never shown, a URL's password neither). A relative directory is taken from
 * projectDir, the directory of Pulumi.yaml, where `pulumi up` runs the program.
 */
export function readAppSource(
  values: SourceValues,
  projectDir: string,
  project: string,
): { source: AppSource; problems: string[] } {
  const problems: string[] = [];
  const fail = (key: string, value: string, fix: string) => problems.push(`${project}:${key} = ${value}: ${fix}`);
  const { appSource, appRef, appSourceKey } = values;
  const shown = JSON.stringify(shownUrl(appSource));
  const forms =
    "a local directory, or a git URL (https://, http://, ssh://, git://, file://, or git@host:owner/repo.git)";

  // As the privateKey setting: one trailing newline, which ssh needs and `config set < file` strips.
  const key = appSourceKey === "" ? "" : appSourceKey.trim() + "\n";
  let source: AppSource;
  const scheme = SCHEME.exec(appSource)?.[1];
  const scp = scheme === undefined ? SCP_LIKE.exec(appSource) : null;
  if (appSource === "") {
    source = { kind: "bundled" };
  } else if (/[\s\p{Cc}]/u.test(appSource)) {
    fail("appSource", shown, `holds a space or a control character; expected ${forms}`);
    source = { kind: "bundled" };
  } else if (scheme !== undefined) {
    source = { kind: "git", url: appSource, ref: appRef, ssh: scheme.toLowerCase() === "ssh", key };
    if (!GIT_SCHEMES.includes(scheme.toLowerCase())) {
      fail("appSource", shown, `unknown URL scheme ${scheme}://; expected ${forms}`);
    } else if (scheme.toLowerCase() === "file") {
      const dir = decodeURIComponent(appSource.replace(/^file:\/\//i, ""));
      if (!dir.startsWith("/") || !isDirectory(dir)) {
        fail("appSource", shown, `no directory ${dir} on this machine; write file:///absolute/path/to/repo.git`);
      }
    } else if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^/@]*@)?[^/@:\s-][^/@\s]*(?:\/.*)?$/.test(appSource)) {
      fail("appSource", shown, `expected ${scheme}://host/path/to/repo.git (a host that does not start with -)`);
    }
  } else if (scp !== null) {
    source = { kind: "git", url: appSource, ref: appRef, ssh: true, key };
  } else if (appSource.startsWith("~")) {
    fail("appSource", shown, "~ is not expanded; write the directory's full path, or a path relative to Pulumi.yaml");
    source = { kind: "bundled" };
  } else {
    const dir = path.resolve(projectDir, appSource);
    source = { kind: "directory", dir };
    if (!isDirectory(dir)) {
      fail(
        "appSource",
        shown,
        `no directory ${dir} on this machine (a relative path is taken from ${projectDir}); expected ${forms}`,
      );
    }
  }

  if (appRef !== "") {
    if (source.kind !== "git") {
      fail(
        "appRef",
        JSON.stringify(appRef),
        `a ref applies to a git appSource only, but appSource is ${appSource === "" ? "empty (the bundled app)" : "a directory"}; remove it (pulumi config rm appRef), or set appSource to the repository's URL`,
      );
    } else if (!isRefName(appRef)) {
      fail(
        "appRef",
        JSON.stringify(appRef),
        "expected a branch, a tag or a commit as git names them (main, v1.2.0, 3f2c1ab); no spaces, no ~ ^ : ? * [ \\ or .., and no leading -",
      );
    }
  }

  if (appSourceKey !== "") {
    const hidden = "(secret, hidden)";
    if (source.kind !== "git" || !source.ssh) {
      fail(
        "appSourceKey",
        hidden,
        `a deploy key is for a repository reached over SSH (ssh://git@host/owner/repo.git or git@host:owner/repo.git), but appSource is ${appSource === "" ? "empty (the bundled app)" : shown}; remove it (pulumi config rm appSourceKey), or give the repository's SSH URL`,
      );
    } else if (!PRIVATE_KEY.test(key)) {
      fail(
        "appSourceKey",
        hidden,
        "expected an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY----- ...), the deploy key's private half; set it with: pulumi config set --secret appSourceKey < deploy_key",
      );
    } else if (hasPassphrase(appSourceKey)) {
      fail(
        "appSourceKey",
        hidden,
        "the key is protected by a passphrase, which an unattended deploy cannot type; make a deploy key without one (ssh-keygen -t ed25519 -N '' -f deploy_key) and add deploy_key.pub to the repository",
      );
    }
  }
  return { source, problems };
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
