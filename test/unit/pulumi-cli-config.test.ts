import * as path from "path";
import {
  CliError,
  configSet,
  goJson,
  loadProject,
  programConfig,
  Project,
  projectFromYaml,
  Secret,
  StackConfig,
  stackConfigFromYaml,
} from "../../local/pulumi-cli-config";

/**
 * The restated CLI against the CLI's own tests: pulumi/pulumi pkg/workspace/config_project_test.go
 * (each case names the Go test it restates), and against `pulumi config set`'s documented
 * behaviour (pkg/cmd/pulumi/config/config.go, the command's long help).
 */
const cli = (projectYaml: string, stackYaml = "") => {
  const project = projectFromYaml(projectYaml);
  return () => programConfig(project, "dev", stackConfigFromYaml(stackYaml));
};

describe("mergeConfig, as the CLI's own tests have it", () => {
  test("TestStackConfigIsInheritedFromProjectConfig: values of the project fill the stack, as text", () => {
    const run = cli(
      "name: test\nruntime: dotnet\nconfig:\n  instanceSize: t3.micro\n  instanceCount: 20\n  protect: true",
      "config:\n  test:instanceSize: t4.large",
    );
    expect(run().config).toEqual({
      "test:instanceSize": "t4.large",
      "test:instanceCount": "20",
      "test:protect": "true",
    });
  });

  test("TestUntypedProjectConfigObjectValuesPassedDownToStack: objects as compact JSON", () => {
    const run = cli(
      "name: test\nruntime: dotnet\nconfig:\n  instanceSize:\n    value:\n      hello: world\n  aws:config:\n    value:\n      region: us-west-1",
      "config:\n  aws:whatever: 42",
    );
    expect(run().config).toEqual({
      "test:instanceSize": '{"hello":"world"}',
      "aws:config": '{"region":"us-west-1"}',
      "aws:whatever": "42",
    });
  });

  test("TestStackConfigErrorsWhenStackValueIsNotCorrectlyTyped: text is not a list", () => {
    const run = cli(
      "name: test\nruntime: dotnet\nconfig:\n  values:\n    type: array\n    items:\n      type: string\n    default: [value]",
      "config:\n  test:values: someValue\n",
    );
    expect(run).toThrow(new CliError("Stack 'dev' with configuration key 'values' must be of type 'array<string>'"));
  });

  test("TestStackConfigIntegerTypeIsCorrectlyValidated", () => {
    const project = "name: test\nruntime: dotnet\nconfig:\n  importantNumber:\n    type: integer\n";
    expect(cli(project, "config:\n  test:importantNumber: 20\n")().config).toEqual({
      "test:importantNumber": "20",
    });
    expect(cli(project, "config:\n  test:importantNumber: hello\n")).toThrow(
      new CliError("Stack 'dev' with configuration key 'importantNumber' must be of type 'integer'"),
    );
  });

  test.each([
    ["TestStackConfigErrorsWhenMissingStackValueForConfigTypeWithNoDefault", ["values"], "value 'values'"],
    [
      "TestStackConfigErrorsWhenMissingTwoStackValueForConfigTypeWithNoDefault",
      ["values", "another"],
      "values 'another' and 'values'",
    ],
    [
      "TestStackConfigErrorsWhenMissingMultipleStackValueForConfigTypeWithNoDefault",
      ["world", "hello", "values"],
      "values 'hello', 'values' and 'world'",
    ],
  ])("%s: every missing key in one message", (_, keys, list) => {
    const config = keys.map((key) => `  ${key}:\n    type: string`).join("\n");
    expect(cli(`name: test\nruntime: dotnet\nconfig:\n${config}`)).toThrow(
      new CliError(`Stack 'dev' is missing configuration ${list}`),
    );
  });

  test("TestStackConfigSecretIsCorrectlyValidated: a secret key must be set encrypted", () => {
    const project = "name: test\nruntime: dotnet\nconfig:\n  importantNumber:\n    type: integer\n    secret: true\n";
    const ok = cli(project, "config:\n  test:importantNumber:\n    secure: '20'\n")();
    expect(ok).toEqual({ config: { "test:importantNumber": "20" }, secretKeys: ["test:importantNumber"] });
    expect(cli(project, "config:\n  test:importantNumber: 20\n")).toThrow(
      new CliError("Stack 'dev' with configuration key 'importantNumber' must be encrypted as it's secret"),
    );
  });

  test("Project.Validate: a typed array needs items, and a default must match its type", () => {
    expect(() => projectFromYaml("name: test\nconfig:\n  list:\n    type: array\n    default: []")).toThrow(
      "The configuration key 'list' declares an array but does not specify the underlying type via the 'items' attribute",
    );
    expect(() => projectFromYaml("name: test\nconfig:\n  port:\n    type: integer\n    default: ssh")).toThrow(
      "The default value specified for configuration key 'port' is not of the expected type 'integer'",
    );
  });

  test("a boolean may be the text true or false, nothing else; keys of other namespaces are not required", () => {
    const project = "name: test\nconfig:\n  flag:\n    type: boolean\n  aws:region:\n    value: eu-west-3";
    expect(cli(project, "config:\n  test:flag: 'true'")().config).toEqual({
      "test:flag": "true",
      "aws:region": "eu-west-3",
    });
    expect(cli(project, "config:\n  test:flag: yes please")).toThrow(
      new CliError("Stack 'dev' with configuration key 'flag' must be of type 'boolean'"),
    );
  });
});

describe("this project's Pulumi.yaml under those rules", () => {
  const project = loadProject(path.join(__dirname, "..", "..", "Pulumi.yaml"));

  test("only privateKey is required: every other key has a default", () => {
    expect(() => programConfig(project, "dev", {})).toThrow(
      new CliError("Stack 'dev' is missing configuration value 'hbnb-stack:privateKey'"),
    );
  });

  test("defaults are written in as text, lists as JSON", () => {
    const { config } = programConfig(project, "dev", { "hbnb-stack:privateKey": new Secret("k") });
    expect(config).toMatchObject({
      "hbnb-stack:sshPort": "22",
      "hbnb-stack:ubuntuRelease": "24.04",
      "hbnb-stack:hosts": "[]",
      "hbnb-stack:adminCidrs": "[]",
      "hbnb-stack:publicKey": "",
      "hbnb-stack:databaseUrl": "",
    });
  });

  test("an optional secret cannot be declared `secret: true` with a default: every stack without it stops", () => {
    // Why appSourceKey is declared without `secret: true`: the CLI checks the merged value, the
    // default included, for encryption (validateStackConfigValues).
    const run = cli("name: test\nconfig:\n  deployKey:\n    type: string\n    secret: true\n    default: ''\n");
    expect(run).toThrow(
      new CliError("Stack 'dev' with configuration key 'deployKey' must be encrypted as it's secret"),
    );
  });

  test("appSourceKey: empty when the stack has none; a secret of the program when set with --secret", () => {
    const privateKey = { "hbnb-stack:privateKey": new Secret("k") };
    const unset = programConfig(project, "dev", privateKey);
    expect(unset.config["hbnb-stack:appSourceKey"]).toBe("");
    expect(unset.secretKeys).toEqual(["hbnb-stack:privateKey"]);
    const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n";
    const stack = configSet(project, privateKey, ["--secret", "appSourceKey"], key);
    const set = programConfig(project, "dev", stack);
    expect(set.config["hbnb-stack:appSourceKey"]).toBe(key.replace(/\n$/, ""));
    expect(set.secretKeys.sort()).toEqual(["hbnb-stack:appSourceKey", "hbnb-stack:privateKey"]);
  });

  test("no key is named like a password, so `config set` never asks for --plaintext", () => {
    for (const key of Object.keys(project.config)) {
      expect(() => configSet(project, {}, [key, "x"])).not.toThrow();
    }
  });
});

describe("pulumi config set", () => {
  const project: Project = projectFromYaml(
    "name: p\nconfig:\n  p:list:\n    type: array\n    items:\n      type: string\n    default: []\n  p:n:\n    type: integer\n    default: 1\n  p:key:\n    type: string\n    default: ''",
  );
  const set = (stack: StackConfig, args: string[], stdin?: string) => configSet(project, stack, args, stdin);
  const seen = (stack: StackConfig) => programConfig(project, "dev", stack).config;

  test("--path 'list[0]' builds a real list; the program gets it as JSON", () => {
    const stack = set(set({}, ["--path", "list[0]", "203.0.113.7/32"]), ["--path", "list[1]", "2001:db8::/48"]);
    expect(stack).toEqual({ "p:list": ["203.0.113.7/32", "2001:db8::/48"] });
    expect(seen(stack)["p:list"]).toBe('["203.0.113.7/32","2001:db8::/48"]');
  });

  test("--path past the end of a list fails", () => {
    expect(() => set({}, ["--path", "list[1]", "x"])).toThrow(
      new CliError("could not set config: [list 1]: array index out of range"),
    );
  });

  test("--path turns integers and booleans into numbers, but not a number with a leading 0", () => {
    expect(set({}, ["--path", "m.a", "3"])).toEqual({ "p:m": { a: 3 } });
    expect(set({}, ["--path", "m.a", "true"])).toEqual({ "p:m": { a: true } });
    expect(set({}, ["--path", "m.a", "0123"])).toEqual({ "p:m": { a: "0123" } });
  });

  test("a plain set stores the text, which an integer key accepts and a list key refuses", () => {
    expect(set({}, ["n", "3"])).toEqual({ "p:n": "3" });
    expect(seen(set({}, ["n", "3"]))["p:n"]).toBe("3");
    expect(() => seen(set({}, ["list", '["a"]']))).toThrow(
      new CliError("Stack 'dev' with configuration key 'p:list' must be of type 'array<string>'"),
    );
  });

  test("--secret from stdin: stored encrypted, one trailing newline removed, listed as a secret key", () => {
    const stack = set({}, ["--secret", "key"], "-----BEGIN KEY-----\nabc\n-----END KEY-----\n");
    expect(stack["p:key"]).toEqual(new Secret("-----BEGIN KEY-----\nabc\n-----END KEY-----"));
    expect(programConfig(project, "dev", stack).secretKeys).toEqual(["p:key"]);
    expect(set({}, ["--raw", "key"], "a\n")["p:key"]).toBe("a\n");
  });

  test("JSON as Go writes it: keys sorted, HTML characters escaped", () => {
    expect(goJson({ b: 1, a: ["<&>"] })).toBe('{"a":["\\u003c\\u0026\\u003e"],"b":1}');
  });
});
