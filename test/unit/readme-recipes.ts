import * as fs from "fs";
import * as path from "path";
import { configSet, loadStackConfig, Project, StackConfig } from "../../local/pulumi-cli-config";

/**
 * The README's shell recipes, as a user types them: the `sh` blocks under a heading, their
 * `pulumi stack` and `pulumi config set` lines applied as the CLI applies them
 * (local/pulumi-cli-config.ts). Other commands (npm ci, ssh-keygen, pulumi up) change no config.
 */

/** What the recipe's command substitutions and input files give on the user's machine. */
export interface Machine {
  /** `$(...)` text → its output. */
  substitutions: Record<string, string>;
  /** Path after `<` → the file's contents. */
  files: Record<string, string>;
}

/** The `sh` code blocks of a README section, by its heading's text. */
export function shellBlocks(readme: string, heading: string): string[] {
  const lines = readme.split("\n");
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, "") === heading);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const level = lines[start].indexOf(" ");
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && line.indexOf(" ") <= level);
  const section = lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** Splits one shell line into words: quotes, `$(...)` substitutions, `<` redirects, `#` comments. */
export function shellWords(line: string, machine: Machine): { words: string[]; stdin?: string } {
  const words: string[] = [];
  let stdin: string | undefined;
  let word: string | undefined;
  let i = 0;
  const substitution = (): string => {
    const close = line.indexOf(")", i);
    const inner = line.slice(i + 2, close);
    if (!(inner in machine.substitutions)) throw new Error(`recipe runs $(${inner}), which the test does not know`);
    i = close + 1;
    return machine.substitutions[inner];
  };
  while (i < line.length) {
    const c = line[i];
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      word = (word ?? "") + line.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      i++;
      word = word ?? "";
      while (line[i] !== '"') {
        if (line.startsWith("$(", i)) word += substitution();
        else word += line[i++];
      }
      i++;
    } else if (line.startsWith("$(", i)) {
      word = (word ?? "") + substitution();
    } else if (c === " " || c === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === "#" && word === undefined) {
      break;
    } else if (c === "<" && word === undefined) {
      const rest = line
        .slice(i + 1)
        .trim()
        .split(/\s+/)[0];
      if (!(rest in machine.files)) throw new Error(`recipe reads ${rest}, which the test does not know`);
      stdin = machine.files[rest];
      i = line.indexOf(rest, i) + rest.length;
    } else {
      word = (word ?? "") + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return { words, stdin };
}

export interface StackState {
  name: string;
  config: StackConfig;
}

/**
 * Runs a recipe's lines against a stack: `pulumi stack select NAME` loads the shipped
 * Pulumi.NAME.yaml, `pulumi stack init NAME` starts an empty one, `pulumi config set` sets.
 */
export function runRecipe(
  script: string,
  project: Project,
  root: string,
  machine: Machine,
  start?: StackState,
): StackState {
  let stack = start;
  for (const line of script.split("\n")) {
    const { words, stdin } = shellWords(line, machine);
    if (words[0] !== "pulumi") continue;
    if (words[1] === "stack" && (words[2] === "select" || words[2] === "init")) {
      const name = words[3];
      const file = path.join(root, `Pulumi.${name}.yaml`);
      if (words[2] === "select" && !fs.existsSync(file))
        throw new Error(`recipe selects ${name}, which is not shipped`);
      stack = { name, config: words[2] === "select" ? loadStackConfig(file) : {} };
    } else if (words[1] === "config" && words[2] === "set") {
      if (!stack) throw new Error(`recipe sets config before selecting a stack: ${line}`);
      stack = { ...stack, config: configSet(project, stack.config, words.slice(3), stdin) };
    }
  }
  if (!stack) throw new Error("recipe selects no stack");
  return stack;
}
