import * as fs from "fs";
import * as path from "path";
import { loadProject, programConfig } from "../../local/pulumi-cli-config";
import { privateKey } from "./plan-fixture";
import { runRecipe, shellBlocks } from "./readme-recipes";
import { runProgram } from "./run-program";

/** The README's "A load balancer of your own (HAProxy)" recipe, fed to the whole program as the CLI would. */
describe("the README's recipe, through the whole program", () => {
  test("deploys HAProxy on loadBalancerHost, drain and ready around each web server, and the load balancer's url", async () => {
    const root = path.join(__dirname, "..", "..");
    const project = loadProject(path.join(root, "Pulumi.yaml"));
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const recipe = shellBlocks(readme, "A load balancer of your own (HAProxy)")[0];
    const stack = runRecipe(recipe, project, root, { substitutions: {}, files: { "~/.ssh/hbnb": privateKey } });
    const run = await runProgram(stack.name, programConfig(project, stack.name, stack.config));
    expect(run.error).toBeUndefined();
    const names = run.resources.filter((r) => r.type === "command:remote:Command").map((r) => r.name);
    expect(names.filter((n) => /-(drain|ready)$/.test(n))).toEqual([
      "server-1-drain",
      "server-1-ready",
      "server-2-drain",
      "server-2-ready",
    ]);
    expect(names.filter((n) => n.startsWith("load-balancer") && !n.endsWith("-undo"))).toEqual([
      "load-balancer-wait",
      "load-balancer-packages",
      "load-balancer-haproxy",
      "load-balancer-firewall",
    ]);
    // A load balancer of your own: `pulumi destroy` takes HAProxy and its firewall rules back out.
    const undos = run.resources.filter((r) => r.name.startsWith("load-balancer") && r.name.endsWith("-undo"));
    expect(undos.map((r) => [r.name, r.inputs.delete])).toEqual([
      ["load-balancer-haproxy-undo", expect.stringContaining("| base64 -d | sudo -n bash -s")],
      ["load-balancer-firewall-undo", expect.stringContaining("| base64 -d | sudo -n bash -s")],
    ]);
    const haproxy = run.resources.find((r) => r.name === "load-balancer-haproxy")!;
    expect(haproxy.inputs.connection.value).toEqual(expect.objectContaining({ host: "192.0.2.20" }));
    expect(haproxy.inputs.stdin).toContain("server server-1 192.0.2.10:80\n");
    expect(haproxy.inputs.stdin).toContain("server server-2 192.0.2.11:80\n");
    expect(run.outputs.url).toBe("http://192.0.2.20/");
  });
});
