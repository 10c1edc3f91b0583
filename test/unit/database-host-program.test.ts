import * as fs from "fs";
import * as path from "path";
import { loadProject, programConfig } from "../../local/pulumi-cli-config";
import { privateKey } from "./plan-fixture";
import { runRecipe, shellBlocks } from "./readme-recipes";
import { runProgram } from "./run-program";

/** The README's "A database host of your own (MariaDB)" recipe, fed to the whole program as the CLI would. */
describe("the README's recipe, through the whole program", () => {
  test("deploys MariaDB on databaseHost with its undos, and the web servers with its URL", async () => {
    const root = path.join(__dirname, "..", "..");
    const project = loadProject(path.join(root, "Pulumi.yaml"));
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const recipe = shellBlocks(readme, "A database host of your own (MariaDB)")[0];
    const stack = runRecipe(recipe, project, root, { substitutions: {}, files: { "~/.ssh/hbnb": privateKey } });
    const run = await runProgram(stack.name, programConfig(project, stack.name, stack.config));
    expect(run.error).toBeUndefined();
    const commands = run.resources.filter((r) => r.type === "command:remote:Command");
    const names = commands.map((r) => r.name);
    expect(names.filter((n) => n.startsWith("database-") && !n.endsWith("-undo"))).toEqual([
      "database-wait",
      "database-packages",
      "database-mariadb",
      "database-backup",
      "database-firewall",
    ]);
    // A server you already have: `pulumi destroy` takes the database host's steps back out.
    expect(names.filter((n) => n.startsWith("database-") && n.endsWith("-undo"))).toEqual([
      "database-mariadb-undo",
      "database-backup-undo",
      "database-firewall-undo",
    ]);
    const mariadb = run.resources.find((r) => r.name === "database-mariadb")!;
    expect(mariadb.inputs.connection.value).toEqual(expect.objectContaining({ host: "192.0.2.30" }));
    // The password is filled in, in a secret stdin; the accounts are the web servers'.
    expect(JSON.stringify(mariadb.inputs.stdin)).not.toContain("@@hbnb-secret");
    expect(run.resources.find((r) => r.name === "database-firewall")!.inputs.stdin).toContain(
      "export HBNB_DATABASE_CLIENTS='192.0.2.10 192.0.2.11'",
    );
    // No web server runs MariaDB; their environment names the database host.
    expect(names).not.toContain("server-1-mariadb");
    expect(JSON.stringify(run.resources.find((r) => r.name === "server-1-secrets")!.inputs.stdin)).toContain(
      "@192.0.2.30:3306/hbnb?charset=utf8mb4",
    );
  });
});
