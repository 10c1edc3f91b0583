import { Sandbox } from "./sandbox";

/**
 * The drain and ready steps' decisions, against a stand-in for HAProxy's runtime API (a socat
 * stub that answers `show stat` with the fields the scripts read, and logs every command): the
 * bounded waits end in a clear error naming the server, and a server already drained is not set
 * again. The real API is exercised end to end in test/e2e/balancer.test.ts.
 */
const socat = `#!/usr/bin/env bash
command=$(cat)
echo "socat $command" >>"$STUB_DIR/log"
if [[ $command == "show stat" ]]; then
  # CSV fields: 1 pxname, 2 svname, 5 scur, 18 status, 37 check_status (HAProxy's management guide, 9.1).
  f=(); for ((i = 1; i <= 40; i++)); do f[i]=0; done
  f[1]=web f[2]=hap-web1 f[5]=$(cat "$STUB_DIR/scur") f[18]=$(cat "$STUB_DIR/status") f[37]=L4TOUT
  (IFS=,; echo "# pxname,svname,..."; echo "\${f[*]:1}")
fi
`;
const values = {
  HBNB_HAPROXY_SOCKET: "/run/haproxy/admin.sock",
  HBNB_BACKEND: "web",
  HBNB_SERVER: "hap-web1",
};

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = new Sandbox();
  sandbox.stub("socat", socat);
});
afterEach(() => sandbox.remove());

const state = (scur: string, status: string) => {
  sandbox.write("state/scur", scur);
  sandbox.write("state/status", status);
};

test("drain: a server that keeps serving past the wait fails the step, drained, not switched", () => {
  state("3", "UP");
  const result = sandbox.run("drain.sh", { ...values, HBNB_DRAIN_WAIT: "1" });
  expect(result.code).toBe(1);
  expect(result.out).toContain("drain: changed: web/hap-web1 set to drain\n");
  expect(result.out).toContain(
    "drain: error: web/hap-web1 still serves 3 request(s) after 1 s of drain; it stays drained, not switched\n",
  );
  expect(sandbox.calls()).toContain("socat set server web/hap-web1 state drain\n");
});

test("drain: a server already drained and idle is left as it is", () => {
  state("0", "DRAIN");
  const result = sandbox.run("drain.sh", { ...values, HBNB_DRAIN_WAIT: "1" });
  expect([result.code, result.out]).toEqual([0, "drain: web/hap-web1 drained: no request in flight\ndrain: unchanged\n"]);
  expect(sandbox.calls()).not.toContain("state drain");
});

test("ready: a server whose health check keeps failing fails the step, naming its state and last check", () => {
  state("0", "DOWN");
  const result = sandbox.run("ready.sh", { ...values, HBNB_READY_WAIT: "1" });
  expect(result.code).toBe(1);
  expect(result.out).toContain(
    "ready: error: web/hap-web1 is DOWN (last check: L4TOUT) 1 s after it was set ready; HAProxy's health check of it fails\n",
  );
});

test("a server HAProxy does not know is named", () => {
  state("0", "UP");
  const result = sandbox.run("drain.sh", { ...values, HBNB_SERVER: "hap-web9", HBNB_DRAIN_WAIT: "1" });
  expect(result.code).toBe(1);
  expect(result.out).toContain(
    "drain: error: HAProxy has no server web/hap-web9 (show stat); is the load balancer's config deployed with this server?\n",
  );
});
