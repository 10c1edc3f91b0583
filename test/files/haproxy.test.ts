import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildBalancerPlan } from "../../core/balancer";
import { parseSettings } from "../../core/settings";
import { files, planOf, privateKey } from "../unit/plan-fixture";

/** The load balancer's rendered haproxy.cfg through HAProxy's own check (local/deps.sh installs haproxy). */
const shared = {
  target: "existing",
  hosts: '["192.0.2.10", "192.0.2.11"]',
  loadBalancerHost: "192.0.2.20",
  databaseUrl: "mysql+mysqldb://h:p@192.0.2.30/h",
};
const servers = [
  { name: "server-1", address: "192.0.2.10" },
  { name: "server-2", address: "192.0.2.11" },
];

function check(config: string): { code: number | null; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-haproxy-"));
  try {
    const file = path.join(dir, "haproxy.cfg");
    fs.writeFileSync(file, config);
    const result = spawnSync("haproxy", ["-c", "-f", file], { encoding: "utf8" });
    if (result.error) throw result.error;
    return { code: result.status, out: `${result.stdout}${result.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("haproxy -c", () => {
  test.each<[string, Record<string, string>]>([
    ["defaults", {}],
    ["a domain", { serverName: "hbnb.example.com www.hbnb.example.com" }],
  ])("takes the rendered config with %s, with no warning", (_, raw) => {
    const settings = parseSettings({ ...shared, ...raw, privateKey });
    const { config } = buildBalancerPlan(settings, planOf({ ...shared, ...raw }), servers, files);
    // -c prints "Configuration file is valid" and nothing else when there is no warning.
    expect(check(config)).toEqual({ code: 0, out: "Configuration file is valid\n" });
  });

  test("rejects a broken one (the check can fail)", () => {
    const settings = parseSettings({ ...shared, privateKey });
    const { config } = buildBalancerPlan(settings, planOf(shared), servers, files);
    const result = check(config.replace("balance roundrobin", "balance roundrobbin"));
    expect(result.code).not.toBe(0);
    expect(result.out).toContain("balance only supports");
  });
});
