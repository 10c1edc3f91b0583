import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { configSchema } from "../../core/settings";
import { LocalHost } from "../../local/hosts";
import { chooseStack, readStack } from "../../local/stack-file";
import { localSettings } from "../../local/stack";

/**
 * `npm start -- --stack NAME`: a stack file's settings on the local server. The merge is the
 * CLI's (local/pulumi-cli-config.ts, itself tested against the CLI's own cases), the checks the
 * program's (core/settings.ts); here: that a stack file reaches the server's settings
 * pointed at the local server, and that each kind of mistake stops it with its message.
 */
const root = path.join(__dirname, "..", "..");
const host: LocalHost = {
  name: "h-test",
  address: "10.213.0.2",
  port: 22,
  user: "admin",
  key: path.join(__dirname, "..", "fixtures", "id_ed25519"),
  image: "debian",
};

/** A project directory with this project's Pulumi.yaml and the given stack files. */
function project(stacks: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-stack-file-"));
  fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const [name, text] of Object.entries(stacks)) fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), text);
  return dir;
}

describe("which stack npm start uses", () => {
  test("none without --stack or Pulumi.local.yaml: the defaults, as before", () => {
    expect(chooseStack(project({ dev: "config: {}\n" }), undefined)).toBeUndefined();
  });

  test("Pulumi.local.yaml when present, and --stack over it", () => {
    const dir = project({ local: "config: {}\n", dev: "config: {}\n" });
    expect(chooseStack(dir, undefined)).toBe("local");
    expect(chooseStack(dir, "dev")).toBe("dev");
  });
});

describe("a stack file's settings on the local server", () => {
  test("Pulumi.dev.yaml: its values, the AWS ones left aside, the target the local server", () => {
    const stack = readStack(root, "dev");
    expect(stack.replaced).toEqual(["hbnb-stack:target"]);
    expect(stack.ignored).toEqual([
      "aws:region",
      "hbnb-stack:ubuntuRelease",
      "hbnb-stack:instanceType",
      "hbnb-stack:adminCidrs",
    ]);
    const settings = localSettings(host, stack.overrides);
    expect(settings.target).toBe("existing");
    expect(settings.hosts).toEqual(["10.213.0.2"]);
    expect(settings.aws).toBeUndefined();
    expect(settings.ssh).toEqual({ user: "admin", port: 22, privateKey: fs.readFileSync(host.key, "utf8") });
    expect(settings.app.workers).toBe(3);
  });

  test("workers, serverName and the rate limit of the file reach the settings; sshPort and hosts are the server's", () => {
    const dir = project({
      mine: [
        "config:",
        "  hbnb-stack:workers: 2",
        "  hbnb-stack:serverName: hbnb.test",
        "  hbnb-stack:apiRateLimit: 50",
        "  hbnb-stack:target: existing",
        "  hbnb-stack:hosts: [192.0.2.10]",
        "  hbnb-stack:sshPort: 2222",
        "  hbnb-stack:privateKey:",
        "    secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBB",
        "",
      ].join("\n"),
    });
    const stack = readStack(dir, "mine");
    expect(stack.replaced).toEqual([
      "hbnb-stack:target",
      "hbnb-stack:hosts",
      "hbnb-stack:sshPort",
      "hbnb-stack:privateKey",
    ]);
    expect(stack.ignored).toEqual([]);
    const settings = localSettings(host, stack.overrides);
    expect([settings.app.workers, settings.app.serverName, settings.app.apiRateLimit]).toEqual([2, "hbnb.test", 50]);
    expect([settings.hosts, settings.ssh.port, settings.ssh.user]).toEqual([["10.213.0.2"], 22, "admin"]);
  });

  test("a key the file does not set keeps its default from Pulumi.yaml", () => {
    const stack = readStack(project({ empty: "config: {}\n" }), "empty");
    expect(localSettings(host, stack.overrides)).toEqual(localSettings(host));
  });
});

describe("what stops npm start before any server boots, and its message", () => {
  const known = Object.keys(configSchema()).join(", ");

  test.each<[string, string]>([
    [
      "hbnb-stack:wrkers: 2",
      `Pulumi.t.yaml: invalid stack config (1 problem):\n  - hbnb-stack:wrkers is not a setting of this stack; known settings: ${known}`,
    ],
    [
      "hbnb-stack:workers: 100",
      'Pulumi.t.yaml: invalid stack config (1 problem):\n  - hbnb-stack:workers = "100": expected an integer from 1 to 64',
    ],
    [
      "hbnb-stack:serverName: bad_name",
      'Pulumi.t.yaml: invalid stack config (1 problem):\n  - hbnb-stack:serverName = "bad_name": ' +
        "expected _ or space-separated host names such as example.com www.example.com",
    ],
    // The CLI's own type check, before the program's: the message `pulumi up` prints.
    ["hbnb-stack:workers: three", "Stack 't' with configuration key 'hbnb-stack:workers' must be of type 'integer'"],
    // AWS settings are checked for their type, as the CLI does, even though nothing here uses them.
    [
      "hbnb-stack:instanceCount: many",
      "Stack 't' with configuration key 'hbnb-stack:instanceCount' must be of type 'integer'",
    ],
    [
      "hbnb-stack:databaseUrl:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBB",
      "Pulumi.t.yaml: hbnb-stack:databaseUrl is encrypted (secure:): only the Pulumi CLI can decrypt it, with the " +
        "stack's secrets provider. Give it a plain value in a stack file for local use (Pulumi.local.yaml), " +
        "or remove it there to use its default.",
    ],
    ["hbnb-stack:workers: [2", "Pulumi.t.yaml: not a stack file's YAML: "],
  ])("%s", (line, message) => {
    const dir = project({ t: `config:\n  ${line}\n` });
    let thrown: Error | undefined;
    try {
      readStack(dir, "t");
    } catch (error) {
      thrown = error as Error;
    }
    if (message.endsWith(": ")) expect(thrown?.message.startsWith(message)).toBe(true);
    else expect(thrown?.message).toBe(message);
  });

  test("a stack without a file names the ones there are", () => {
    const dir = project({ dev: "config: {}\n", local: "config: {}\n" });
    expect(() => readStack(dir, "prod")).toThrow(
      new Error(
        `--stack is 'prod': there is no Pulumi.prod.yaml in ${dir}; the stack files here: ` +
          "Pulumi.dev.yaml (--stack dev), Pulumi.local.yaml (--stack local). " +
          "Write Pulumi.prod.yaml (a `config:` map, as in Pulumi.dev.yaml) or name one of those.",
      ),
    );
  });
});
