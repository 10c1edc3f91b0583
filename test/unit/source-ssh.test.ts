import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AppSource } from "../../core/app-source";
import { fetchSource, SourceError } from "../../source/fetch";
import { commit, filesOf, git, inetd, initRepo, Server } from "./git-fixtures";

/**
 * A private repository over SSH with a deploy key: OpenSSH's sshd on 127.0.0.1 (started per
 * connection by test/fixtures/inetd.mjs, with a host key and a config of the test's own), which
 * lets in the deploy key only, and only for git (git-shell), as a git host does.
 */
let work: string;
let repo: string;
let head: string;
let sshd: Server;
let url: string;
const keyOf = (name: string) => fs.readFileSync(path.join(work, name), "utf8");
const sshSource = (key: string): AppSource => ({ kind: "git", url, ref: "", ssh: true, key });
const keyDirs = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("hbnb-source-key-"));

function keygen(name: string): void {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path.join(work, name)]);
}

/** The message of what FN throws. */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    return (error as Error).message;
  }
  throw new Error("expected a SourceError");
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-source-ssh-"));
  repo = path.join(work, "app");
  initRepo(repo);
  head = commit(repo, "first", { "app.py": "app = 'private'\n" });
  for (const name of ["host_key", "other_host_key", "deploy_key", "wrong_key"]) keygen(name);
  fs.copyFileSync(path.join(work, "host_key"), path.join(work, "host_key.orig"));
  fs.writeFileSync(
    path.join(work, "authorized_keys"),
    `restrict,command="git-shell -c \\"$SSH_ORIGINAL_COMMAND\\"" ${keyOf("deploy_key.pub")}`,
  );
  fs.writeFileSync(
    path.join(work, "sshd_config"),
    [
      `HostKey ${path.join(work, "host_key")}`,
      `AuthorizedKeysFile ${path.join(work, "authorized_keys")}`,
      // The test's files live under /tmp, which StrictModes refuses (writable by all).
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      // The tests run as root (they boot local servers): key only, as sshd's default has it.
      "PermitRootLogin prohibit-password",
      "PidFile none",
      "LogLevel ERROR",
    ].join("\n") + "\n",
  );
  // sshd's privilege separation directory, which Debian's ssh.service makes at each start.
  fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  sshd = await inetd("/usr/sbin/sshd", ["-i", "-f", path.join(work, "sshd_config")]);
  url = `ssh://${os.userInfo().username}@127.0.0.1:${sshd.port}${repo}`;
});

afterAll(async () => {
  await sshd?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

// ssh takes a private key only from a file that no one else may read ("UNPROTECTED PRIVATE KEY
// FILE!"): a fetch with the deploy key also proves the file's mode.
test("the deploy key fetches the repository; its host key is kept; the key's file is gone after", () => {
  const before = keyDirs();
  const build = path.join(work, "build");
  const fetched = fetchSource(sshSource(keyOf("deploy_key")), build);
  expect(fetched.commit).toBe(head);
  expect(filesOf(fetched.dir)).toEqual(["app.py"]);
  const hostKey = keyOf("host_key.pub").split(" ").slice(0, 2).join(" ");
  expect(fs.readFileSync(path.join(build, "sources", "known_hosts"), "utf8")).toBe(
    `[127.0.0.1]:${sshd.port} ${hostKey}\n`,
  );
  expect(keyDirs()).toEqual(before);
  expect(git(repo, "rev-parse", "HEAD")).toBe(head);
});

test("a key the repository does not accept: the repository, ssh's words, the key named, never shown", () => {
  const wrong = keyOf("wrong_key");
  const before = keyDirs();
  const message = failure(() => fetchSource(sshSource(wrong), path.join(work, "wrong")));
  expect(message.split("\n")[0]).toBe(`hbnb-stack:appSource = "${url}": git could not fetch it:`);
  expect(message).toContain("Permission denied (publickey).");
  expect(message.split("\n").at(-1)).toBe(
    "Check the URL, that this machine reaches the server, and whether the deploy key (appSourceKey) is not one the repository accepts.",
  );
  for (const line of wrong.split("\n").filter((l) => l.length > 20)) expect(message).not.toContain(line);
  expect(keyDirs()).toEqual(before);
});

test("a host whose key changed since the first fetch is refused", () => {
  const build = path.join(work, "changed");
  fetchSource(sshSource(keyOf("deploy_key")), build);
  fs.copyFileSync(path.join(work, "other_host_key"), path.join(work, "host_key"));
  const message = failure(() => fetchSource(sshSource(keyOf("deploy_key")), build));
  expect(message).toContain("REMOTE HOST IDENTIFICATION HAS CHANGED");
  expect(message).toContain("Host key verification failed.");
  expect(message.split("\n").at(-1)).toBe(
    `The server's SSH host key is not the one this stack trusted at its first fetch (kept in ${path.join(build, "sources", "known_hosts")}): if the server's key changed on purpose, remove its line there; otherwise, do not deploy from this server.`,
  );
  fs.copyFileSync(path.join(work, "host_key.orig"), path.join(work, "host_key"));
});

test("no deploy key for a repository that needs one: the message says to set appSourceKey", () => {
  const message = failure(() => fetchSource(sshSource(""), path.join(work, "no-key")));
  expect(message).toContain("Permission denied (publickey).");
  expect(message.split("\n").at(-1)).toBe(
    "Check the URL, that this machine reaches the server, and whether the repository needs a key: set appSourceKey (pulumi config set --secret appSourceKey < deploy_key).",
  );
});
