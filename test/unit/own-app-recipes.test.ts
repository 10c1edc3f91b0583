import * as fs from "fs";
import * as path from "path";
import { parseSettings } from "../../core/settings";
import { loadProject, programConfig } from "../../local/pulumi-cli-config";
import { bundle, files } from "./plan-fixture";
import { buildPlan } from "../../core/plan";
import { Machine, runRecipe, shellBlocks } from "./readme-recipes";

/**
 * The README's "Deploy your own app" recipes as a user types them, after its "Run it on AWS"
 * one, through the Pulumi CLI's rules (local/pulumi-cli-config.ts): the settings they give, and
 * the plan's services. (The program itself would fetch the repository: program-source.test.ts
 * runs it on a repository of its own.)
 */
const root = path.join(__dirname, "..", "..");
const fixtures = path.join(__dirname, "..", "fixtures");
const project = loadProject(path.join(root, "Pulumi.yaml"));
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const machine: Machine = {
  substitutions: {
    "curl -s https://checkip.amazonaws.com": "203.0.113.7",
    "cat ~/.ssh/hbnb.pub": fs.readFileSync(path.join(fixtures, "id_ed25519.pub"), "utf8").trim(),
  },
  files: { "~/.ssh/hbnb": fs.readFileSync(path.join(fixtures, "id_ed25519"), "utf8") },
};

function settingsOf(heading: string) {
  const recipe = [shellBlocks(readme, "Run it on AWS")[0], ...shellBlocks(readme, heading)].join("\n");
  const stack = runRecipe(recipe, project, root, machine);
  const cli = programConfig(project, stack.name, stack.config);
  return parseSettings(
    Object.fromEntries(
      Object.entries(cli.config)
        .filter(([key]) => key.startsWith("hbnb-stack:"))
        .map(([key, value]) => [key.slice("hbnb-stack:".length), value]),
    ),
  );
}

test("the classic recipe: a git repository in the classic layout, on MariaDB, its page's URLs rewritten", () => {
  const { app } = settingsOf("The classic AirBnB clone (`layout: classic`)");
  expect(app.source).toEqual({
    kind: "git",
    url: "https://github.com/me/AirBnB_clone_v4.git",
    ref: "master",
    ssh: false,
    key: "",
  });
  expect([app.layout, app.environment, app.database, app.rewriteClassicUrls, app.apiRateLimit]).toEqual([
    "classic",
    { HBNB_TYPE_STORAGE: "db" },
    "mariadb",
    true,
    0,
  ]);
});

test("the custom recipe: one service at /, its static files by Nginx", () => {
  const settings = settingsOf("Any WSGI app (`layout: custom`)");
  expect(settings.app.services).toEqual([
    {
      name: "web",
      app: "app:app",
      routes: [{ path: "/", to: "/", exact: false }],
      workers: 3,
      environment: {},
      static: [{ path: "/static/", dir: "static" }],
    },
  ]);
  const plan = buildPlan(settings, { ...bundle, files: ["app.py", "static/style.css"] }, files);
  expect(plan.layout.services.map((s) => [s.unit, s.wsgiApp])).toEqual([
    ["hbnb-web", 'hbnb_stack_wsgi:serve("app:app")'],
  ]);
});
