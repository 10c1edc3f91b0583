import * as fs from "fs";
import { Sandbox } from "./sandbox";

/**
 * The leave and rejoin steps around a switch behind AWS's load balancer (core/alb-drain.ts),
 * against a stand-in for Nginx's answer on the health path: a curl stub that answers 503 while
 * the drain marker exists, as files/nginx/guards.conf.njk makes Nginx do, and otherwise the
 * status the test sets (the app's answer). The load balancer's window is 0 or 1 s here; on AWS
 * it is 35 s, from the target group's own settings.
 */
const curl = `#!/usr/bin/env bash
echo "curl $*" >>"$STUB_DIR/log"
if [[ -e $HBNB_DRAIN_MARKER && ! -e $STUB_DIR/no-drain-location ]]; then echo 503; else cat "$STUB_DIR/status"; fi
`;

let sandbox: Sandbox;
let values: Record<string, string>;
beforeEach(() => {
  sandbox = new Sandbox();
  sandbox.stub("curl", curl);
  sandbox.stub("hostname", "#!/bin/sh\necho web-2\n");
  values = {
    HBNB_DRAIN_MARKER: sandbox.path("root/run/hbnb-stack/drained"),
    HBNB_CHECK_URL: "http://127.0.0.1/-/balancer",
    HBNB_BALANCER_WINDOW: "0",
  };
});
afterEach(() => sandbox.remove());

const rejoin = (extra: Record<string, string> = {}) =>
  sandbox.run("rejoin.sh", { ...values, HBNB_HEALTHY_CODES: "200-200", HBNB_READY_WAIT: "1", ...extra });

describe("leave", () => {
  test("makes the marker, sees Nginx answer 503 with it, and waits out the window", () => {
    sandbox.write("state/status", "200");
    const result = sandbox.run("leave.sh", values);
    expect([result.code, result.out]).toEqual([
      0,
      [
        `leave: changed: created ${values.HBNB_DRAIN_MARKER}: http://127.0.0.1/-/balancer answers 503 to the load balancer`,
        "leave: web-2 is out of the load balancer's rotation",
        "leave: done, 1 change(s)",
        "",
      ].join("\n"),
    ]);
    expect(fs.existsSync(values.HBNB_DRAIN_MARKER)).toBe(true);
    expect(sandbox.calls()).toContain("curl -sS --max-time 5 -o /dev/null -w %{http_code} http://127.0.0.1/-/balancer\n");
  });

  test("waits only what is left of the window since the marker was made", () => {
    sandbox.write("state/status", "200");
    sandbox.write("root/run/hbnb-stack/drained", "");
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(values.HBNB_DRAIN_MARKER, old, old);
    const result = sandbox.run("leave.sh", { ...values, HBNB_BALANCER_WINDOW: "35" });
    expect([result.code, result.out]).toEqual([
      0,
      "leave: web-2 is out of the load balancer's rotation\nleave: unchanged\n",
    ]);
  });

  test("a marker that does not make Nginx answer 503 fails the step, and is taken out again", () => {
    sandbox.write("state/status", "200");
    sandbox.write("state/no-drain-location", "");
    const result = sandbox.run("leave.sh", values);
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      `leave: error: web-2 answers 200 on http://127.0.0.1/-/balancer with ${values.HBNB_DRAIN_MARKER} in place, not 503: the load balancer would keep sending it requests; is the configs step's Nginx site (the drain location) installed?\n`,
    );
    expect(fs.existsSync(values.HBNB_DRAIN_MARKER)).toBe(false);
  });
});

describe("rejoin", () => {
  test("removes the marker and returns once the health path answers healthy", () => {
    sandbox.write("state/status", "200");
    sandbox.write("root/run/hbnb-stack/drained", "");
    const result = rejoin();
    expect([result.code, result.out]).toEqual([
      0,
      [
        `rejoin: changed: removed ${values.HBNB_DRAIN_MARKER}`,
        "rejoin: waiting 0 s: the load balancer's health checks see web-2 healthy (200)",
        "rejoin: web-2 is back in the load balancer's rotation",
        "rejoin: done, 1 change(s)",
        "",
      ].join("\n"),
    ]);
    expect(fs.existsSync(values.HBNB_DRAIN_MARKER)).toBe(false);
  });

  test("a health path that never answers healthy fails the step, naming the server and the answer", () => {
    sandbox.write("state/status", "502");
    const result = rejoin();
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      "rejoin: error: web-2 answers 502 on http://127.0.0.1/-/balancer 1 s after its switch, not 200-200: the load balancer keeps it out of rotation, and the servers after it keep their release\n",
    );
  });

  test.each([
    ["404", "200-499", 0],
    ["499", "200-499", 0],
    ["502", "200-499", 1],
    ["000", "200-499", 1],
    ["404", "200-200", 1],
  ])("answer %s against the matcher %s: exit %d", (status, codes, code) => {
    sandbox.write("state/status", status);
    expect(rejoin({ HBNB_HEALTHY_CODES: codes }).code).toBe(code);
  });
});
