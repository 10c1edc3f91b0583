import * as fs from "fs";
import * as path from "path";

/**
 * core/ is the pure part of the stack that every driver shares: settings, the plan and the files
 * it renders. It creates no Pulumi resource and reaches no server: what it reads is this
 * repository's own files (the templates, the app it bundles). components/ (the Pulumi driver)
 * and local/ (the local driver) build on it, never the other way round.
 */
const CORE = path.join(__dirname, "..", "..", "core");
const DRIVERS_ONLY = [
  /^@pulumi\//,
  /^\.\.\/components\//,
  /^\.\.\/local\//,
  /^(node:)?(child_process|net|http|https|dgram)$/,
];

describe("core/", () => {
  const modules = fs.readdirSync(CORE).filter((f) => f.endsWith(".ts"));

  test("holds the settings, the plan and the rendering", () => {
    expect(modules).toEqual(expect.arrayContaining(["settings.ts", "plan.ts", "render.ts", "layout.ts"]));
  });

  const importsOf = (module: string): string[] =>
    [...fs.readFileSync(path.join(CORE, module), "utf8").matchAll(/^import [\s\S]*?from "([^"]+)";$/gm)].map(
      (m) => m[1],
    );

  test("the imports are read (the plan's own, at least)", () => {
    expect(importsOf("plan.ts")).toEqual(expect.arrayContaining(["./settings", "./render"]));
  });

  test.each(modules)("%s imports nothing of a driver: no Pulumi, no SSH, no process, no network", (module) => {
    expect(importsOf(module).filter((spec) => DRIVERS_ONLY.some((re) => re.test(spec)))).toEqual([]);
  });
});
