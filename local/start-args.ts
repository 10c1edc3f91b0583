import { SettingsError } from "../core/settings";
import { Image, IMAGES } from "./hosts";
import { CliError } from "./pulumi-cli-config";
import { StepFailed } from "./runner";
import { chooseStack, LocalStack, readStack, StackFileError } from "./stack-file";

/** What `npm start -- ...` asks for: the local image, and a stack file's settings. */
export interface StartArgs {
  image: Image;
  /** The NAME of Pulumi.NAME.yaml; none: Pulumi.local.yaml when present, else the defaults. */
  stack?: string;
}

export const USAGE = `usage: npm start [-- [--image ${IMAGES.join("|")}] [--stack NAME]]`;

/** The arguments were not understood: the message names the argument and the fix. */
export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}; ${USAGE}`);
    this.name = "UsageError";
  }
}

const OPTIONS = ["--image", "--stack"] as const;

/** Reads `--image NAME` and `--stack NAME` (or `--image=NAME`, `--stack=NAME`), in any order, each at most once. */
export function parseStartArgs(argv: string[]): StartArgs {
  const given: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const [option, inline] = argv[i].includes("=")
      ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)]
      : [argv[i], undefined];
    if (!(OPTIONS as readonly string[]).includes(option)) {
      throw new UsageError(`'${argv[i]}' is not an option of npm start`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === "" || value.startsWith("--")) {
      throw new UsageError(`${option} needs a value`);
    }
    if (given[option] !== undefined) {
      throw new UsageError(`${option} is given twice ('${given[option]}', '${value}'): give it once`);
    }
    given[option] = value;
  }
  const image = given["--image"] ?? "debian";
  if (!(IMAGES as readonly string[]).includes(image)) {
    throw new UsageError(`--image is '${image}': it must be one of ${IMAGES.join(", ")}`);
  }
  return { image: image as Image, stack: given["--stack"] };
}

/** The arguments of `npm start` (and of `npm stop -- --undo`), with the stack file they name read and checked. */
export function readStartArgs(root: string, argv: string[]): { image: Image; stack?: LocalStack } {
  const args = parseStartArgs(argv);
  const name = chooseStack(root, args.stack);
  return { image: args.image, stack: name === undefined ? undefined : readStack(root, name) };
}

/** Ends the command: a user's mistake or a failed step as its message alone, anything else whole. */
export function exitWith(error: unknown): never {
  const told = [StepFailed, UsageError, StackFileError, CliError, SettingsError].some((kind) => error instanceof kind);
  console.error(told ? `\nhbnb-stack: ${(error as Error).message}` : error);
  process.exit(1);
}
