import { BALANCER_PACKAGES, buildBalancerPlan, drainStep, readyStep } from "../../core/balancer";
import { parseSettings } from "../../core/settings";
import { base, files, planOf } from "./plan-fixture";

const servers = [
  { name: "server-1", address: "192.0.2.10" },
  { name: "server-2", address: "192.0.2.11" },
];
const shared = {
  hosts: '["192.0.2.10", "192.0.2.11"]',
  loadBalancerHost: "192.0.2.20",
  databaseUrl: "mysql+mysqldb://h:p@192.0.2.30/h",
};
const settingsOf = (raw = {}) => parseSettings({ ...base, ...shared, ...raw });

describe("the load balancer's plan", () => {
  test("wait, packages, haproxy, firewall: the web plan's step scripts and HAProxy's own", () => {
    const plan = buildBalancerPlan(settingsOf(), planOf(shared), servers, files);
    expect(plan.steps.map((s) => s.name)).toEqual(["wait", "packages", "haproxy", "firewall"]);
    expect(plan.steps[1].stdin).toContain(`export HBNB_PACKAGES='${BALANCER_PACKAGES.join(" ")}'`);
    expect(BALANCER_PACKAGES).toEqual(expect.arrayContaining(["haproxy", "socat"]));
    expect(plan.steps[3].stdin).toContain("export HBNB_HTTPS='no'");
    expect(plan.steps.every((s) => s.command === "sudo -n bash -s")).toBe(true);
  });

  test("round robin over the web servers' port 80, checked on the switch's path through Nginx", () => {
    const { config } = buildBalancerPlan(settingsOf(), planOf(shared), servers, files);
    const directives = config
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"));
    expect(directives).toEqual(
      expect.arrayContaining([
        "balance roundrobin",
        "option httpchk",
        "http-check send meth GET uri /api/v1/status ver HTTP/1.1 hdr Host localhost",
        "http-check expect status 200",
        "default-server check inter 2s fall 3 rise 2",
        "option redispatch 1",
        "retries 2",
        "stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd listeners",
        "server server-1 192.0.2.10:80",
        "server server-2 192.0.2.11:80",
      ]),
    );
  });

  test("the health check asks for the first serverName, which Nginx answers; a user's app on its first route", () => {
    const raw = { serverName: "hbnb.example.com www.hbnb.example.com" };
    const { config } = buildBalancerPlan(settingsOf(raw), planOf({ ...shared, ...raw }), servers, files);
    expect(config).toContain("http-check send meth GET uri /api/v1/status ver HTTP/1.1 hdr Host hbnb.example.com\n");
    const custom = {
      layout: "custom",
      services: JSON.stringify([{ name: "web", app: "app:app", routes: [{ path: "/hello/" }] }]),
    };
    const own = buildBalancerPlan(settingsOf(custom), planOf({ ...shared, ...custom }), servers, files);
    expect(own.config).toContain("uri /hello/ ver HTTP/1.1");
  });

  test("a new web server re-runs the haproxy step only", () => {
    const before = buildBalancerPlan(settingsOf(), planOf(shared), servers, files);
    const after = buildBalancerPlan(
      settingsOf(),
      planOf(shared),
      [...servers, { name: "server-3", address: "192.0.2.12" }],
      files,
    );
    const changed = before.steps
      .filter((s, i) => s.triggers.join() !== after.steps[i].triggers.join())
      .map((s) => s.name);
    expect(changed).toEqual(["haproxy"]);
  });

  test("a server name HAProxy would not take is refused", () => {
    expect(() =>
      buildBalancerPlan(settingsOf(), planOf(shared), [{ name: "web 1", address: "192.0.2.10" }], files),
    ).toThrow('web server name "web 1": HAProxy takes letters, digits and - _ . : only');
  });
});

describe("drain and ready, on the load balancer around a web server's deploy", () => {
  test("name the server in the backend, the socket and a bounded wait", () => {
    const drain = drainStep(files, servers[1]);
    expect(drain.name).toBe("drain");
    expect(drain.triggers.slice(1)).toEqual([
      "HBNB_HAPROXY_SOCKET=/run/haproxy/admin.sock",
      "HBNB_BACKEND=web",
      "HBNB_SERVER=server-2",
      "HBNB_DRAIN_WAIT=90",
    ]);
    expect(readyStep(files, servers[0]).triggers.slice(1)).toEqual([
      "HBNB_HAPROXY_SOCKET=/run/haproxy/admin.sock",
      "HBNB_BACKEND=web",
      "HBNB_SERVER=server-1",
      "HBNB_READY_WAIT=60",
    ]);
  });
});

describe("the web servers behind HAProxy", () => {
  test("Nginx takes the client's address from X-Forwarded-For, from the load balancer's address only", () => {
    expect(planOf(shared).configs.guards).toContain("set_real_ip_from 192.0.2.20/32;\n");
    expect(planOf({}).configs.guards).not.toContain("set_real_ip_from");
    // A name: no address to trust (set_real_ip_from takes addresses).
    expect(planOf({ ...shared, loadBalancerHost: "lb.example.com" }).configs.guards).not.toContain("set_real_ip_from");
  });
});
