import * as fs from "fs";
import { Sandbox } from "./sandbox";

/**
 * The switch step's decisions (files/scripts/switch.sh), in seconds: which of start, restart,
 * reload (or nothing) it runs for what the pending file says and which release is live, the
 * socket made again when its unit changed, the canary before a release that serves is touched,
 * and the way back when the new release fails. The releases, `current` and the state directory
 * are under a temporary root; systemctl, curl, pgrep, setpriv and journalctl are stubs that act
 * as a Gunicorn would: a start, restart or reload brings new workers of the release `current`
 * points at, which then answer the health check with its id.
 */
const SYSTEMCTL = `#!/usr/bin/env bash
echo "systemctl $*" >>"$STUB_DIR/log"
# A service starts new workers of the release current points at, under a master whose PID is
# in pid-UNIT; a release named in broken (or broken-UNIT) crashes at start (the master exits).
serve() {
  local unit=$1 release broken
  release=$(basename "$(readlink "$HBNB_APP_DIR/current")")
  broken=$(cat "$STUB_DIR/broken-$unit" "$STUB_DIR/broken" 2>/dev/null || true)
  if grep -qx "$release" <<<"$broken"; then
    rm -f "$STUB_DIR/active-$unit" "$STUB_DIR/serving-$unit"
    return
  fi
  touch "$STUB_DIR/active-$unit"
  echo "$release" >"$STUB_DIR/serving-$unit"
  gen=$(($(cat "$STUB_DIR/gen" 2>/dev/null || echo 0) + 1))
  echo "$gen" >"$STUB_DIR/gen"
  printf '%s1\\n%s2\\n' "$gen" "$gen" >"$STUB_DIR/workers-$unit"
}
unit=\${@: -1}
case $1 in
  is-active) [[ -e $STUB_DIR/active-$unit ]] ;;
  is-enabled) [[ -e $STUB_DIR/enabled-$unit ]] ;;
  show) if [[ -e $STUB_DIR/active-$unit ]]; then cat "$STUB_DIR/pid-$unit"; else echo 0; fi ;;
  start | restart | reload) if [[ -e $STUB_DIR/pid-$unit ]]; then serve "$unit"; else touch "$STUB_DIR/active-$unit"; fi ;;
  stop) for u in "\${@:2}"; do rm -f "$STUB_DIR/active-$u"; done ;;
  enable)
    if [[ $unit == nginx ]]; then touch "$STUB_DIR/enabled-nginx" "$STUB_DIR/active-nginx"
    else touch "$STUB_DIR/enabled-$unit" "$STUB_DIR/enabled-$unit.socket"; fi ;;
esac
`;
// The health check: a canary's socket answers with the release it runs, once it has started;
// a live socket (/run/UNIT/gunicorn.sock) with the release its workers run (none while that
// Gunicorn is down); Nginx's address answers 200.
const CURL = `#!/usr/bin/env bash
socket=
while [[ $# -gt 0 ]]; do
  [[ $1 != --unix-socket ]] || socket=$2
  shift
done
if [[ $socket == */canary.sock ]]; then
  [[ -e $(dirname "$socket")/canary-up ]] || exit 7
  echo "{\\"release\\": \\"$HBNB_RELEASE\\"}"
elif [[ -n $socket ]]; then
  unit=$(basename "$(dirname "$socket")")
  [[ -f $STUB_DIR/serving-$unit ]] || exit 7
  echo "{\\"release\\": \\"$(cat "$STUB_DIR/serving-$unit")\\"}"
else
  echo 200
fi
`;
// The canary's Gunicorn (--name UNIT-canary): runs until stopped, or exits at once for a
// release that cannot start (canary-fails, or canary-fails-UNIT).
const SETPRIV = `#!/usr/bin/env bash
name= dir=
while [[ $# -gt 0 ]]; do
  [[ $1 != --name ]] || name=\${2%-canary}
  [[ $1 != --bind ]] || dir=$(dirname "\${2#unix:}")
  shift
done
echo "setpriv canary $name" >>"$STUB_DIR/log"
[[ ! -e $STUB_DIR/canary-fails && ! -e $STUB_DIR/canary-fails-$name ]] || exit 1
touch "$dir/canary-up"
exec sleep 60
`;
// Each master's workers, by its PID.
const PGREP = `#!/usr/bin/env bash
for pid in "$STUB_DIR"/pid-*; do
  [[ $(cat "$pid") == "$2" ]] && cat "$STUB_DIR/workers-\${pid##*/pid-}"
done
exit 0
`;

const sandboxes: Sandbox[] = [];
afterAll(() => sandboxes.forEach((sandbox) => sandbox.remove()));

/**
 * A server with releases RELEASES unpacked, `current` at LIVE, a Gunicorn for each of UNITS
 * (default: the bundled app's one) running when LIVE is.
 */
function server(options: {
  releases: string[];
  live?: string;
  pending?: string;
  enabled?: boolean;
  units?: string[];
}): Sandbox {
  const units = options.units ?? ["hbnb"];
  const sandbox = new Sandbox();
  sandboxes.push(sandbox);
  sandbox.stub("systemctl", SYSTEMCTL);
  sandbox.stub("curl", CURL);
  sandbox.stub("setpriv", SETPRIV);
  sandbox.stub("pgrep", PGREP);
  units.forEach((unit, i) => sandbox.write(`state/pid-${unit}`, `${100 * (i + 1)}\n`));
  sandbox.stub("journalctl", "#!/bin/sh\necho the app's log\n");
  for (const release of options.releases) fs.mkdirSync(sandbox.path(`root/srv/hbnb/releases/${release}`), { recursive: true });
  sandbox.write("root/etc/hbnb/hbnb.env", "SECRET_KEY=x\n");
  fs.mkdirSync(sandbox.path("root/state"));
  if (options.live) {
    fs.symlinkSync(`releases/${options.live}`, sandbox.path("root/srv/hbnb/current"));
    units.forEach((unit, i) => {
      sandbox.write(`state/active-${unit}`, "");
      sandbox.write(`state/serving-${unit}`, `${options.live}\n`);
      sandbox.write(`state/workers-${unit}`, `9${i}1\n9${i}2\n`);
    });
  }
  if (options.enabled ?? options.live !== undefined) {
    for (const unit of [...units.flatMap((u) => [u, `${u}.socket`]), "nginx"]) sandbox.write(`state/enabled-${unit}`, "");
    sandbox.write("state/active-nginx", "");
  }
  if (options.pending) sandbox.write("root/state/hbnb.pending", `${options.pending}\n`);
  return sandbox;
}

const switchTo = (sandbox: Sandbox, release: string, units = ["hbnb"]) =>
  sandbox.run("switch.sh", {
    HBNB_SERVICE: "hbnb",
    HBNB_RELEASE: release,
    HBNB_APP_USER: "root",
    HBNB_APP_DIR: sandbox.path("root/srv/hbnb"),
    HBNB_UNITS: units
      .map((unit) => `${unit}|${sandbox.path(`root/run/${unit}/gunicorn.sock`)}|2|${sandbox.path(`root/etc/hbnb/${unit}.conf.py`)}`)
      .join("\n"),
    HBNB_STATE_DIR: sandbox.path("root/state"),
    HBNB_PENDING_FILE: sandbox.path("root/state/hbnb.pending"),
    HBNB_ENV_PATH: sandbox.path("root/etc/hbnb/hbnb.env"),
    HBNB_CHECK_PATH: "/api/v1/status",
  });

/** What the step did to the services: the canary, and every systemctl call that acts. */
const actions = (sandbox: Sandbox): string[] =>
  sandbox
    .calls()
    .split("\n")
    .filter((line) => /^(setpriv|systemctl (start|stop|restart|reload|enable))\b/.test(line));
const current = (sandbox: Sandbox) => fs.readlinkSync(sandbox.path("root/srv/hbnb/current"));

describe("switch.sh", () => {
  test("a cold start starts Gunicorn without a canary, enables it and Nginx, and records the release", () => {
    const sandbox = server({ releases: ["r-new"], enabled: false });
    const result = switchTo(sandbox, "r-new");
    expect(result.code).toBe(0);
    expect(actions(sandbox)).toEqual([
      "systemctl start hbnb",
      "systemctl enable -q --no-reload hbnb",
      "systemctl enable -q --now nginx",
    ]);
    expect(current(sandbox)).toBe("releases/r-new");
    expect(sandbox.read("root/state/hbnb.history")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ r-new\n$/);
    expect(result.out).toContain("switch: changed: started hbnb: release r-new answers");
  });

  test("the live release with nothing pending: no canary, Gunicorn untouched, unchanged", () => {
    const sandbox = server({ releases: ["r-new"], live: "r-new" });
    sandbox.write("root/state/hbnb.history", "2026-01-01T00:00:00Z r-new\n");
    const result = switchTo(sandbox, "r-new");
    expect([result.code, actions(sandbox)]).toEqual([0, []]);
    expect(result.out.trim().split("\n").slice(-2)).toEqual(["switch: serving release r-new", "switch: unchanged"]);
  });

  test.each([
    ["reload", ["setpriv canary hbnb", "systemctl reload hbnb"], "reloaded"],
    ["restart", ["setpriv canary hbnb", "systemctl restart hbnb"], "restarted"],
    // The socket is made again: the service and its socket stop, and the start makes both.
    ["restart-socket", ["setpriv canary hbnb", "systemctl stop hbnb hbnb.socket", "systemctl start hbnb"], "restarted"],
  ])("the live release with %s pending: the canary, then %j; the pending file is gone", (pending, calls, did) => {
    const sandbox = server({ releases: ["r-new"], live: "r-new", pending });
    const result = switchTo(sandbox, "r-new");
    expect([result.code, actions(sandbox)]).toEqual([0, calls]);
    expect(result.out).toContain(`switch: changed: ${did} hbnb: release r-new answers`);
    expect(sandbox.exists("root/state/hbnb.pending")).toBe(false);
  });

  test("restart-socket: the socket's directory an older unit left (not root's) is removed for systemd to make", () => {
    const sandbox = server({ releases: ["r-new"], live: "r-new", pending: "restart-socket" });
    fs.mkdirSync(sandbox.path("root/run/hbnb"), { recursive: true });
    fs.chownSync(sandbox.path("root/run/hbnb"), 65534, 65534);
    expect(switchTo(sandbox, "r-new").code).toBe(0);
    expect(sandbox.exists("root/run/hbnb")).toBe(false);
  });

  test("a new release while an old one serves: the canary, `current` moves, a graceful reload", () => {
    const sandbox = server({ releases: ["r-old", "r-new"], live: "r-old" });
    const result = switchTo(sandbox, "r-new");
    expect([result.code, actions(sandbox)]).toEqual([0, ["setpriv canary hbnb", "systemctl reload hbnb"]]);
    expect(current(sandbox)).toBe("releases/r-new");
    expect(result.out).toContain("switch: changed: current -> releases/r-new (was releases/r-old)");
  });

  test("a new release whose canary fails: `current` and the live Gunicorn are never touched", () => {
    const sandbox = server({ releases: ["r-old", "r-new"], live: "r-old" });
    sandbox.write("state/canary-fails", "");
    const result = switchTo(sandbox, "r-new");
    expect([result.code, actions(sandbox)]).toEqual([1, ["setpriv canary hbnb"]]);
    expect(current(sandbox)).toBe("releases/r-old");
    expect(result.out).toContain("release r-new failed its canary check: Gunicorn exited at start; r-old keeps serving");
  });

  test("a new release that crashes once live: `current` goes back, and the old release serves again", () => {
    const sandbox = server({ releases: ["r-old", "r-new"], live: "r-old" });
    sandbox.write("state/broken", "r-new");
    const result = switchTo(sandbox, "r-new");
    // The reload's master exits; the old release gets a master again (a start: none runs).
    expect([result.code, actions(sandbox)]).toEqual([1, ["setpriv canary hbnb", "systemctl reload hbnb", "systemctl start hbnb"]]);
    expect(current(sandbox)).toBe("releases/r-old");
    expect(result.out).toContain(
      "release r-new failed: its health check never answered with it (last answer: none: Gunicorn exited); rolled back to r-old, which is serving",
    );
  });

  test("a cold start whose release never answers: Gunicorn and its socket stopped, no `current`", () => {
    const sandbox = server({ releases: ["r-new"], enabled: false });
    sandbox.write("state/broken", "r-new");
    const result = switchTo(sandbox, "r-new");
    expect([result.code, actions(sandbox)]).toEqual([1, ["systemctl start hbnb", "systemctl stop hbnb hbnb.socket"]]);
    expect(sandbox.exists("root/srv/hbnb/current")).toBe(false);
    expect(result.out).toContain("release r-new failed: its health check never answered with it");
  });

  describe("a release of several services", () => {
    const units = ["hbnb-api", "hbnb-page"];

    test("a new release: a canary of each, `current` moves once, each reloads gracefully", () => {
      const sandbox = server({ releases: ["r-old", "r-new"], live: "r-old", units });
      const result = switchTo(sandbox, "r-new", units);
      expect([result.code, actions(sandbox)]).toEqual([
        0,
        ["setpriv canary hbnb-api", "setpriv canary hbnb-page", "systemctl reload hbnb-api", "systemctl reload hbnb-page"],
      ]);
      expect(current(sandbox)).toBe("releases/r-new");
      expect(result.out).toContain("switch: changed: reloaded hbnb-page: release r-new answers");
    });

    test("one service's canary fails: no service and no `current` is touched, and the message names it", () => {
      const sandbox = server({ releases: ["r-old", "r-new"], live: "r-old", units });
      sandbox.write("state/canary-fails-hbnb-page", "");
      const result = switchTo(sandbox, "r-new", units);
      expect([result.code, actions(sandbox)]).toEqual([1, ["setpriv canary hbnb-api", "setpriv canary hbnb-page"]]);
      expect(current(sandbox)).toBe("releases/r-old");
      expect(result.out).toContain("release r-new failed its canary check (hbnb-page): Gunicorn exited at start; r-old keeps serving");
    });

    test("one service crashes once live: every service goes back to the old release", () => {
      const sandbox = server({ releases: ["r-old", "r-new"], live: "r-old", units });
      sandbox.write("state/broken-hbnb-page", "r-new");
      const result = switchTo(sandbox, "r-new", units);
      expect([result.code, actions(sandbox)]).toEqual([
        1,
        [
          "setpriv canary hbnb-api",
          "setpriv canary hbnb-page",
          "systemctl reload hbnb-api",
          "systemctl reload hbnb-page",
          // Back: the api reloads onto the old release; the page's master had exited: a start.
          "systemctl reload hbnb-api",
          "systemctl start hbnb-page",
        ],
      ]);
      expect(current(sandbox)).toBe("releases/r-old");
      expect(sandbox.read("state/serving-hbnb-api")).toBe("r-old\n");
      expect(sandbox.read("state/serving-hbnb-page")).toBe("r-old\n");
      expect(result.out).toContain("release r-new failed (hbnb-page): its health check never answered with it");
      expect(result.out).toContain("rolled back to r-old, which is serving");
    });

    test("a cold start: each service starts and is enabled at boot with its socket", () => {
      const sandbox = server({ releases: ["r-new"], enabled: false, units });
      const result = switchTo(sandbox, "r-new", units);
      expect(result.code).toBe(0);
      expect(actions(sandbox)).toEqual([
        "systemctl start hbnb-api",
        "systemctl start hbnb-page",
        "systemctl enable -q --no-reload hbnb-api",
        "systemctl enable -q --no-reload hbnb-page",
        "systemctl enable -q --now nginx",
      ]);
    });
  });
});
