import * as fs from "fs";
import { parse as parseYaml } from "yaml";

/**
 * The config a program gets from the Pulumi CLI, restated from the CLI's own source
 * (github.com/pulumi/pulumi, fetched at 1b5949891b3c, Aug 2026), because the CLI cannot run here.
 * `npm start -- --stack NAME` reads a stack file through it (local/stack-file.ts), and the unit
 * tests run the program on what it hands over (test/unit/program.test.ts).
 *
 * - Pulumi.yaml's `config:` block: pkg/workspace/config.go, `mergeConfig`. Keys are taken in
 *   sorted order. A key of the project's namespace with neither `default` nor `value` that the
 *   stack does not set is missing: all missing keys stop the command in one error
 *   (`missingStackConfigurationKeysError`, `formatMissingKeys`). A key not set on the stack gets
 *   its default (or value) written in by `createConfigValue`: strings, ints and bools as text
 *   (`fmt.Sprintf("%v")`: `22`, `true`), anything else as JSON (`json.Marshal`, compact). Then
 *   `validateStackConfigValues` checks every explicitly typed key, stopping at the first failure:
 *   `secret: true` keys must hold an encrypted value, and the value must match the type
 *   (`validateStackConfigValue`, sdk/go/common/workspace/project.go `ValidateConfigValue`: an
 *   integer may be text that parses as one; a boolean the text true or false; an array only a
 *   real list, not text). Tests beside it: pkg/workspace/config_project_test.go.
 * - Pulumi.yaml itself: sdk/go/common/workspace/project.go, `(*Project).Validate`: a typed array
 *   needs `items`; a default must match its type.
 * - `pulumi config set`: pkg/cmd/pulumi/config/config.go, `newConfigSetCmd` and
 *   `(*configSetCmd).Run`. A key without a namespace is the project's (io.go `parseConfigKey`). A
 *   value not on the command line is read from stdin, one trailing newline removed unless --raw.
 *   --secret stores it encrypted. Without --path the value is stored as the text given, whatever
 *   it looks like (`set workers 3` stores the text `3`). With --path, sdk/go/common/resource/config
 *   map.go `Map.Set` builds the list or map the path names (object.go `object.Set`: an index may
 *   be at most the list's length, where it appends), and value.go `coerceObject` turns `true`,
 *   `false` and integers (not ones with a leading 0) into booleans and numbers.
 * - What the program receives: every value as text (config/map.go `Map.Decrypt`, plaintext.go
 *   `marshalText`): text as is, secrets decrypted, anything else as Go's compact JSON; the keys
 *   holding an encrypted value are listed as secret (`Map.SecureKeys`).
 *
 * Not restated: ESC environments (this project uses none), `--type`, and the entropy guess that
 * refuses a high-entropy value for a key named like a password without --secret or --plaintext
 * (`looksLikeSecret`): `configSet` throws if a key's name could trigger it, so it cannot be skipped
 * silently.
 */

/** The CLI stopped: its message, as the CLI prints it. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

/** A value stored encrypted (`--secret`); the plaintext stands in for the ciphertext. */
export class Secret {
  constructor(readonly plaintext: string) {}
}

/** A stored config value (config/object.go `object`): YAML's scalars, lists and maps, or a secret. */
export type Stored = string | number | boolean | null | Secret | Stored[] | { [key: string]: Stored };

/** A stack's config (config.Map): full key (`namespace:name`) to stored value. */
export type StackConfig = Record<string, Stored>;

interface ItemsType {
  type: string;
  items?: ItemsType;
}

export interface ProjectConfigType {
  type?: string;
  items?: ItemsType;
  default?: unknown;
  value?: unknown;
  secret?: boolean;
  description?: string;
}

export interface Project {
  name: string;
  config: Record<string, ProjectConfigType>;
}

/** What the language host hands the program: PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS. */
export interface ProgramConfig {
  config: Record<string, string>;
  secretKeys: string[];
}

// YAML's null is Go's nil: no default at all.
const isSet = (value: unknown): boolean => value !== undefined && value !== null;
const namespaceOf = (key: string): string => key.slice(0, key.indexOf(":"));

/** pkg/workspace/config.go `parseConfigKey`: a key without a namespace is the project's. */
function projectKey(projectName: string, key: string): string {
  return key.includes(":") ? key : `${projectName}:${key}`;
}

/** sdk/go/common/workspace/project.go `InferFullTypeName`. */
function fullTypeName(type: string, items?: ItemsType): string {
  return items ? `array<${fullTypeName(items.type, items.items)}>` : type;
}

/** Go's strconv.Atoi on a 64-bit machine. */
function atoi(text: string): boolean {
  if (!/^[+-]?\d+$/.test(text)) return false;
  const n = BigInt(text);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** sdk/go/common/workspace/project.go `ValidateConfigValue`; `value` as Go decodes YAML or JSON. */
export function validateConfigValue(type: string, items: ItemsType | undefined, value: unknown): boolean {
  if (type === "string") return typeof value === "string";
  if (type === "integer") {
    if (typeof value === "number") return Number.isInteger(value);
    return typeof value === "string" && atoi(value);
  }
  if (type === "boolean") return value === "true" || value === "false" || typeof value === "boolean";
  if (type === "object") return typeof value === "object" && value !== null && !Array.isArray(value);
  if (!Array.isArray(value) || items === undefined) return false;
  return value.every((item) => validateConfigValue(items.type, items.items, item));
}

/** Loads Pulumi.yaml and checks its config block as `(*Project).Validate` does. */
export const loadProject = (file: string): Project => projectFromYaml(fs.readFileSync(file, "utf8"));

export function projectFromYaml(text: string): Project {
  const doc = parseYaml(text) as { name: string; config?: Record<string, unknown> };
  const config: Record<string, ProjectConfigType> = {};
  for (const [key, entry] of Object.entries(doc.config ?? {})) {
    // A bare value is the short form of `value:`.
    const type: ProjectConfigType =
      typeof entry === "object" && entry !== null && !Array.isArray(entry)
        ? (entry as ProjectConfigType)
        : { value: entry };
    if (isSet(type.default) && isSet(type.value)) {
      throw new CliError(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
    }
    const ofProject = !key.includes(":") || key.startsWith(`${doc.name}:`);
    if (ofProject) {
      if (type.type === "array" && type.items === undefined) {
        throw new CliError(
          `The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`,
        );
      }
      if (type.type !== undefined && isSet(type.default) && !validateConfigValue(type.type, type.items, type.default)) {
        throw new CliError(
          `The default value specified for configuration key '${key}' is not of the expected type '${fullTypeName(type.type, type.items)}'`,
        );
      }
    } else if (type.type !== undefined) {
      throw new CliError(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
    }
    config[key] = type;
  }
  return { name: doc.name, config };
}

/** Reads a stack file's `config:` (a `{secure: ...}` map is an encrypted value). */
export const loadStackConfig = (file: string): StackConfig => stackConfigFromYaml(fs.readFileSync(file, "utf8"));

export function stackConfigFromYaml(text: string): StackConfig {
  const doc = (parseYaml(text) ?? {}) as { config?: Record<string, unknown> };
  const stored = (value: unknown): Stored => {
    if (Array.isArray(value)) return value.map(stored);
    if (typeof value === "object" && value !== null) {
      const entries = Object.entries(value);
      if (entries.length === 1 && entries[0][0] === "secure" && typeof entries[0][1] === "string") {
        return new Secret(entries[0][1]);
      }
      return Object.fromEntries(entries.map(([k, v]) => [k, stored(v)]));
    }
    return value as Stored;
  };
  return Object.fromEntries(Object.entries(doc.config ?? {}).map(([key, value]) => [key, stored(value)]));
}

const containsSecret = (value: Stored): boolean =>
  value instanceof Secret ||
  (Array.isArray(value)
    ? value.some(containsSecret)
    : typeof value === "object" && value !== null && Object.values(value).some(containsSecret));

const isObject = (value: Stored): boolean => typeof value === "object" && value !== null && !(value instanceof Secret);

/** The value decrypted, as Go holds it before marshalling. */
function decrypted(value: Stored): unknown {
  if (value instanceof Secret) return value.plaintext;
  if (Array.isArray(value)) return value.map(decrypted);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decrypted(v)]));
  }
  return value;
}

/** Go's json.Marshal: compact, map keys sorted, <, > and & escaped for HTML. */
export function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sorted(value))
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** The text the program gets for a stored value (config/plaintext.go `marshalText`). */
function programText(value: Stored): string {
  const plain = decrypted(value);
  return typeof plain === "string" ? plain : goJson(plain);
}

/** pkg/workspace/config.go `createConfigValue`: a default as the stack then holds it. */
function configValueOf(raw: unknown): Stored {
  const primitive = typeof raw === "string" || typeof raw === "boolean" || Number.isInteger(raw);
  return primitive ? String(raw) : (JSON.parse(goJson(raw)) as Stored);
}

/** pkg/workspace/config.go `formatMissingKeys` and `missingStackConfigurationKeysError`. */
function missingKeysError(keys: string[], stackName: string): CliError {
  let list: string;
  if (keys.length === 1) {
    list = `'${keys[0]}'`;
  } else {
    const sorted = [...keys].sort();
    list = sorted
      .map((key, i) =>
        i === sorted.length - 1 ? `and '${key}'` : i === sorted.length - 2 ? `'${key}' ` : `'${key}', `,
      )
      .join("");
  }
  return new CliError(`Stack '${stackName}' is missing configuration ${keys.length > 1 ? "values" : "value"} ${list}`);
}

/**
 * pkg/workspace/config.go `mergeConfig` with validation (`ValidateStackConfigAndApplyProjectConfig`,
 * what `pulumi up` and `pulumi preview` run), then the program's view of the result.
 */
export function programConfig(project: Project, stackName: string, stack: StackConfig): ProgramConfig {
  const merged: StackConfig = { ...stack };
  const keys = Object.keys(project.config).sort();
  const missing: string[] = [];
  for (const projectConfigKey of keys) {
    const type = project.config[projectConfigKey];
    const key = projectKey(project.name, projectConfigKey);
    if (key in merged) continue;
    if (!isSet(type.value) && !isSet(type.default)) {
      if (namespaceOf(key) === project.name) missing.push(projectConfigKey);
      continue;
    }
    merged[key] = configValueOf(isSet(type.default) ? type.default : type.value);
  }
  if (missing.length > 0) throw missingKeysError(missing, stackName);

  // validateStackConfigValues: the first failure, in key order.
  for (const projectConfigKey of keys) {
    const type = project.config[projectConfigKey];
    if (type.type === undefined) continue;
    const value = merged[projectKey(project.name, projectConfigKey)];
    if (type.secret && !containsSecret(value)) {
      throw new CliError(
        `Stack '${stackName}' with configuration key '${projectConfigKey}' must be encrypted as it's secret`,
      );
    }
    // A list or a map is checked as the JSON the program gets, parsed back; anything else as text.
    const content = isObject(value) ? JSON.parse(programText(value)) : programText(value);
    if (!validateConfigValue(type.type, type.items, content)) {
      throw new CliError(
        `Stack '${stackName}' with configuration key '${projectConfigKey}' must be of type '${fullTypeName(type.type, type.items)}'`,
      );
    }
  }

  return {
    config: Object.fromEntries(Object.entries(merged).map(([key, value]) => [key, programText(value)])),
    secretKeys: Object.keys(merged).filter((key) => containsSecret(merged[key])),
  };
}

type PathPart = string | number;

/** resource.ParsePropertyPathStrict, for the forms a config path uses: a.b, a[0], a["b.c"]. */
function parsePath(path: string): PathPart[] {
  const parts: PathPart[] = [];
  const re = /^(?:\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["([^"]*)"\])/;
  let rest = path;
  while (rest !== "") {
    const m = re.exec(rest);
    if (!m || (parts.length === 0 && m[0].startsWith("."))) {
      throw new CliError(`invalid configuration key: invalid config key path: ${path}`);
    }
    parts.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3]));
    rest = rest.slice(m[0].length);
  }
  return parts;
}

/** config/value.go `coerceObject` on an untyped value set at a path. */
function coerce(value: Stored): Stored {
  if (typeof value !== "string") return value;
  if (value === "true" || value === "false") return value === "true";
  if (value.length > 1 && value[0] === "0") return value;
  return atoi(value) ? Number(value) : value;
}

const fmtPath = (prefix: PathPart[]) => `[${prefix.join(" ")}]`;

/** config/object.go `object.Set`. */
function setIn(current: Stored | undefined, prefix: PathPart[], path: PathPart[], value: Stored): Stored {
  if (path.length === 0) return value;
  let container = current;
  const [head, ...tail] = path;
  if (container === undefined || container === null) {
    container = typeof head === "number" ? [] : {};
  } else if (!isObject(container)) {
    // COMPAT: a scalar at the top level is overwritten by the container the path needs.
    if (prefix.length !== 1) {
      throw new CliError(
        `could not set config: ${fmtPath(prefix)}: expected ${typeof head === "number" ? "an array" : "a map"}`,
      );
    }
    container = typeof head === "number" ? [] : {};
  }
  const at = [...prefix, head];
  if (Array.isArray(container)) {
    if (typeof head !== "number")
      throw new CliError(`could not set config: ${fmtPath(at)}: key for an array must be an int`);
    if (head > container.length) throw new CliError(`could not set config: ${fmtPath(at)}: array index out of range`);
    const list = [...container];
    list[head] = setIn(list[head], at, tail, value);
    return list;
  }
  if (typeof head !== "string")
    throw new CliError(`could not set config: ${fmtPath(at)}: key for a map must be a string`);
  const map = { ...(container as Record<string, Stored>) };
  map[head] = setIn(map[head], at, tail, value);
  return map;
}

// config.go `keyPattern`: a key so named gets the entropy check this restatement leaves out.
const SECRET_LOOKING_KEY = /passwd|pass|password|pwd|secret|token/i;

/**
 * `pulumi config set [--path] [--secret|--plaintext] [--raw] <key> [value]` on a stack's config,
 * the value from stdin when not given. Returns the new config.
 */
export function configSet(project: Project, stack: StackConfig, args: string[], stdin?: string): StackConfig {
  const flags = new Set(args.filter((arg) => arg.startsWith("--")));
  const [rawKey, given, ...extra] = args.filter((arg) => !arg.startsWith("--"));
  for (const flag of flags) {
    if (!["--path", "--secret", "--plaintext", "--raw"].includes(flag)) throw new Error(`not restated: ${flag}`);
  }
  if (rawKey === undefined || extra.length > 0) throw new CliError("accepts between 1 and 2 arg(s)");
  if (flags.has("--secret") && flags.has("--plaintext")) {
    throw new CliError("if any flags in the group [secret plaintext type] are set none of the others can be");
  }
  let text: string;
  if (given !== undefined) {
    text = given;
  } else if (stdin !== undefined) {
    text = flags.has("--raw") ? stdin : stdin.replace(/\n$/, "");
  } else {
    throw new CliError("config value must be specified in non-interactive mode");
  }
  const path = flags.has("--path");
  const top = path ? rawKey.split(/[[.]/)[0] : rawKey;
  const key = projectKey(project.name, top) + (path ? rawKey.slice(top.length) : "");
  const name = key.slice(key.indexOf(":") + 1);
  if (!flags.has("--secret") && !flags.has("--plaintext") && SECRET_LOOKING_KEY.test(name)) {
    throw new Error(`not restated: the CLI may refuse ${key} as looking like a secret (looksLikeSecret)`);
  }
  const value: Stored = flags.has("--secret") ? new Secret(text) : text;
  if (!path) return { ...stack, [key]: value };
  const [root, ...rest] = parsePath(name);
  const rootKey = `${namespaceOf(key)}:${root}`;
  if (rest.length === 0) return { ...stack, [rootKey]: value };
  return { ...stack, [rootKey]: setIn(stack[rootKey], [root], rest, coerce(value)) };
}
