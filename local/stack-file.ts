import * as fs from "fs";
import * as path from "path";
import { AWS_ONLY, parseSettings, PROJECT, RawConfig } from "../core/settings";
import { loadProject, loadStackConfig, programConfig, Secret, StackConfig } from "./pulumi-cli-config";

/**
 * `npm start` with the settings of a stack file: Pulumi.NAME.yaml merged over Pulumi.yaml as the
 * Pulumi CLI merges them (local/pulumi-cli-config.ts), then checked by the program's own settings
 * (core/settings.ts), so a value `pulumi up` would refuse is refused here with the same
 * message, before any server boots. The target is always the local server.
 */

/** The settings the local driver sets itself: they point the stack at the local server. */
export const LOCAL_KEYS = ["target", "hosts", "sshUser", "sshPort", "privateKey"];

/** The stack file cannot be used locally: the message names the file, the key and the fix. */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

export interface LocalStack {
  name: string;
  /** Pulumi.NAME.yaml, as a path. */
  file: string;
  /** The stack's settings with Pulumi.yaml's defaults written in, less the local server's own: raw config for localSettings. */
  overrides: RawConfig;
  /** Settings of the stack file the local server replaces (LOCAL_KEYS), as full keys. */
  replaced: string[];
  /** Keys of the stack file that shape nothing here: the AWS instances' settings, other namespaces (aws:region). */
  ignored: string[];
}

/** The stacks that have a file in DIR (Pulumi.NAME.yaml), by name. */
export function stackNames(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .map((file) => /^Pulumi\.([^.]+)\.yaml$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

/**
 * The stack `npm start` uses: the one named by --stack, else "local" when DIR has
 * Pulumi.local.yaml, else none (the default settings, as `npm start` has always had them).
 */
export function chooseStack(dir: string, flag: string | undefined): string | undefined {
  if (flag !== undefined) return flag;
  return stackNames(dir).includes("local") ? "local" : undefined;
}

// Stand-ins for the local server's address and key while the stack file is checked, before any
// server boots: the local driver makes both, so only their form is checked (a documentation
// address, RFC 5737; the shape of an OpenSSH key). The real ones take their place afterwards.
const STAND_IN: StackConfig = {
  [`${PROJECT}:target`]: "existing",
  [`${PROJECT}:hosts`]: ["192.0.2.1"],
  [`${PROJECT}:sshUser`]: "admin",
  [`${PROJECT}:sshPort`]: "22",
  [`${PROJECT}:privateKey`]: new Secret(
    "-----BEGIN OPENSSH PRIVATE KEY-----\n(the local server's key)\n-----END OPENSSH PRIVATE KEY-----\n",
  ),
};

/** Reads Pulumi.NAME.yaml in DIR (with DIR's Pulumi.yaml) for the local server. */
export function readStack(dir: string, name: string): LocalStack {
  const names = stackNames(dir);
  const file = path.join(dir, `Pulumi.${name}.yaml`);
  if (!names.includes(name)) {
    const known = names.length > 0 ? names.map((n) => `Pulumi.${n}.yaml (--stack ${n})`).join(", ") : "none";
    throw new StackFileError(
      `--stack is '${name}': there is no Pulumi.${name}.yaml in ${dir}; the stack files here: ${known}. ` +
        `Write Pulumi.${name}.yaml (a \`config:\` map, as in Pulumi.dev.yaml) or name one of those.`,
    );
  }
  let stored: StackConfig;
  try {
    stored = loadStackConfig(file);
  } catch (error) {
    throw new StackFileError(`${path.basename(file)}: not a stack file's YAML: ${(error as Error).message}`);
  }
  const own = (key: string): string | undefined =>
    key.startsWith(`${PROJECT}:`) ? key.slice(PROJECT.length + 1) : undefined;
  for (const [key, value] of Object.entries(stored)) {
    if (value instanceof Secret && own(key) !== "privateKey") {
      throw new StackFileError(
        `${path.basename(file)}: ${key} is encrypted (secure:): only the Pulumi CLI can decrypt it, with the ` +
          `stack's secrets provider. Give it a plain value in a stack file for local use (Pulumi.local.yaml), ` +
          `or remove it there to use its default.`,
      );
    }
  }

  const { config } = programConfig(loadProject(path.join(dir, "Pulumi.yaml")), name, { ...stored, ...STAND_IN });
  // The AWS instances' settings have passed the CLI's type checks; nothing local uses them.
  const raw: RawConfig = Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => own(key) !== undefined && !AWS_ONLY.includes(own(key)!))
      .map(([key, value]) => [own(key)!, value]),
  );
  try {
    parseSettings(raw);
  } catch (error) {
    throw new StackFileError(`${path.basename(file)}: ${(error as Error).message}`);
  }
  return {
    name,
    file,
    overrides: Object.fromEntries(Object.entries(raw).filter(([key]) => !LOCAL_KEYS.includes(key))),
    replaced: Object.keys(stored).filter((key) => LOCAL_KEYS.includes(own(key) ?? "")),
    ignored: Object.keys(stored).filter((key) => own(key) === undefined || AWS_ONLY.includes(own(key)!)),
  };
}
