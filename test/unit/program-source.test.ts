import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseSettings } from "../../core/settings";
import { loadProject, programConfig, Secret, StackConfig } from "../../local/pulumi-cli-config";
import { sourceBundle } from "../../source/fetch";
import { commit, initRepo } from "./git-fixtures";
import { runProgram } from "./run-program";

/**
 * The Pulumi program (index.ts) fetches the app source of its settings and uploads the release
 * made from it; a ref the repository does not have stops it with the fetch's message, and nothing
 * is created.
 */
const root = path.join(__dirname, "..", "..");
const project = loadProject(path.join(root, "Pulumi.yaml"));
const privateKey = fs.readFileSync(path.join(__dirname, "..", "fixtures", "id_ed25519"), "utf8");
const publicKey = fs.readFileSync(path.join(__dirname, "..", "fixtures", "id_ed25519.pub"), "utf8").trim();

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-program-source-"));
  initRepo(path.join(work, "app"));
  commit(path.join(work, "app"), "first", { "app.py": "app = None\n" });
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const stackOf = (extra: StackConfig): StackConfig => ({
  "hbnb-stack:adminCidrs": ["203.0.113.7/32"],
  "hbnb-stack:publicKey": publicKey,
  "hbnb-stack:privateKey": new Secret(privateKey),
  ...extra,
});

test("a git source: the release of its commit is what each server gets", async () => {
  const url = `file://${path.join(work, "app")}`;
  const services = [{ name: "web", app: "app:app", routes: [{ path: "/" }] }];
  const config = programConfig(
    project,
    "dev",
    stackOf({ "hbnb-stack:appSource": url, "hbnb-stack:layout": "custom", "hbnb-stack:services": services }),
  );
  const run = await runProgram("dev", config);
  expect(run.error).toBeUndefined();
  const raw = Object.fromEntries(Object.entries(config.config).map(([k, v]) => [k.replace("hbnb-stack:", ""), v]));
  const expected = sourceBundle(parseSettings(raw).app, path.join(work, "build"));
  expect(expected.files).toEqual([
    "_hbnb_stack/check_imports.py",
    "_hbnb_stack/jquery.min.js",
    "app.py",
    "hbnb_stack_wsgi.py",
  ]);
  const uploads = run.resources.filter((r) => r.type === "command:remote:CopyToRemote");
  expect(uploads.map((u) => u.inputs.remotePath)).toEqual([`/tmp/hbnb-stack-${expected.release}.tar.gz`]);
  expect(run.outputs.release).toBe(expected.release);
});

test("a ref the repository does not have: the program stops, naming it, and creates nothing", async () => {
  const url = `file://${path.join(work, "app")}`;
  const config = programConfig(project, "dev", stackOf({ "hbnb-stack:appSource": url, "hbnb-stack:appRef": "v9" }));
  const run = await runProgram("dev", config);
  // The program's own module instance (jest.isolateModulesAsync): the class by its name.
  expect((run.error as Error).name).toBe("SourceError");
  expect((run.error as Error).message).toBe(
    `hbnb-stack:appRef = "v9": no branch, tag or commit v9 in ${url}; its branches: main; its tags: none; set appRef to one of them, or empty for the repository's HEAD`,
  );
  expect(run.resources).toEqual([]);
});
