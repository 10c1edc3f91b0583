import { Sandbox } from "./sandbox";

/**
 * The key edits in the distribution's own files: the harden step sets each of its lines
 * (harden.sh, set_keys), its undo puts back the distribution's line of each key it still holds
 * (undo-harden.sh, restore_keys). Values are text: `&`, `|`, `\` and regex characters in a key or
 * a value land as they are (a sed pattern would take them as its own, awk -v a backslash as an
 * escape). /etc is the Sandbox's overlay; the package's copy of the file comes from stubs of
 * dpkg-query, apt-get and dpkg-deb.
 */
const FILE = "/etc/hbnb-keys.conf";
const DISTRIBUTION = "# the distribution's file\nKEY dist\\value & more|x\n  other = 1\nKEEP this\nnetAx=5\nnet.x=0\n";
// The stack's lines: a KEY VALUE line, key=value lines (one whose key has a regex's "."), a new key.
const STACK = "# the stack's values\nKEY a&b|c\\d\nother=x&y\nnet.x=1\nNEW v|w\n";
const HARDENED = "# the distribution's file\nKEY a&b|c\\d\nother=x&y\nKEEP this\nnetAx=5\nnet.x=1\nNEW v|w\n";
const record = ["keys", FILE, "root:root", "0644", Buffer.from(STACK).toString("base64")].join("|");

const sandboxes: Sandbox[] = [];
afterAll(() => sandboxes.forEach((sandbox) => sandbox.remove()));

function server(text: string): Sandbox {
  const sandbox = new Sandbox();
  sandboxes.push(sandbox);
  sandbox.stub("systemctl", '#!/bin/sh\ncase "$1" in cat | is-failed) exit 1 ;; esac\nexit 0\n');
  sandbox.stub("fail2ban-client", "#!/bin/sh\nexit 0\n");
  sandbox.stub("nft", "#!/bin/sh\nexit 0\n");
  // The package that ships the file, its version, and its .deb: a tar of state/package/.
  sandbox.stub("dpkg-query", '#!/bin/sh\ncase "$1" in -S) echo "hbnb-test: $2" ;; -W) echo 1.0 ;; esac\n');
  sandbox.stub("apt-get", '#!/bin/sh\n[ "$1" = download ] || exit 0\ntouch hbnb-test_1.0_all.deb\n');
  sandbox.stub("dpkg-deb", '#!/bin/sh\ntar -C "$STUB_DIR/package" -cf - .\n');
  sandbox.write(`state/package${FILE}`, DISTRIBUTION);
  sandbox.write(`upper${FILE.replace(/^\/etc/, "")}`, text);
  return sandbox;
}
const file = (sandbox: Sandbox) => sandbox.read(`upper${FILE.replace(/^\/etc/, "")}`);

describe("harden.sh sets the keys of the distribution's file", () => {
  const harden = (sandbox: Sandbox) =>
    sandbox.run(
      "harden.sh",
      { HBNB_SSH_USER: "root", HBNB_APP_USER: "hbnb", HBNB_WEB_USER: "www-data", HBNB_HARDENING_FILES: record },
      // The distribution's rotation of Nginx's logs, which the step checks is there.
      "mkdir -p /etc/logrotate.d && printf '/var/log/nginx/*.log {\\n}\\n' >/etc/logrotate.d/nginx",
    );

  test("each key's line replaced, a new key added at the end, every other line as it was", () => {
    const sandbox = server(DISTRIBUTION);
    const result = harden(sandbox);
    expect([result.code, file(sandbox)]).toEqual([0, HARDENED]);
    expect(result.out).toContain(`harden: changed: set 4 value(s) in ${FILE}`);
  });

  test("a second run changes nothing in the file", () => {
    const sandbox = server(HARDENED);
    const result = harden(sandbox);
    expect([result.code, file(sandbox)]).toEqual([0, HARDENED]);
    expect(result.out).not.toContain(`in ${FILE}`);
  });
});

describe("undo-harden.sh puts back the distribution's lines", () => {
  const undo = (sandbox: Sandbox) => sandbox.run("undo-harden.sh", { HBNB_HARDENING_FILES: record });

  test("each key that still has the stack's value gets the package's line; a key the package has not goes", () => {
    const sandbox = server(HARDENED);
    const result = undo(sandbox);
    expect([result.code, file(sandbox)]).toEqual([0, DISTRIBUTION]);
    expect(result.out).toContain(`undo-harden: changed: put back the distribution's value(s) of 4 key(s) in ${FILE}`);
  });

  test("a key the owner changed since stays as the owner set it", () => {
    const sandbox = server(HARDENED.replace("other=x&y", "other=mine"));
    expect(undo(sandbox).code).toBe(0);
    expect(file(sandbox)).toBe(DISTRIBUTION.replace("  other = 1", "other=mine"));
  });
});
