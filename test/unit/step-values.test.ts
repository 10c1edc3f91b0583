import { Plan } from "../../core/plan";
import { files, planOf } from "./plan-fixture";

/**
 * Each step script's required values (its `need` line, files/scripts/lib.sh) are exactly the
 * values the plan exports to it: a value the script needs and the plan forgot fails on the
 * server; a value the plan sends and the script never needs is a trigger that re-runs the step
 * for nothing.
 */
// With MariaDB on the server: the plan with every step there is (the mariadb step too).
const plan: Plan = planOf({ database: "mariadb" });

/** The names on a script's `need` line (continued over lines ending in "\"). */
function needed(script: string): string[] {
  const line = /^need ((?:.*\\\n)*.*)$/m.exec(script);
  if (!line) return [];
  return line[1].split(/[\s\\]+/).filter((name) => name !== "");
}

/** The names a step's script text exports, but the step's own name. */
function exported(text: string): string[] {
  return [...text.matchAll(/^export (HBNB_[A-Z0-9_]+)=/gm)].map((m) => m[1]).filter((name) => name !== "HBNB_STEP");
}

/** The script an undo's command carries, decoded. */
const undoText = (command: string) => Buffer.from(/printf %s (\S+) \|/.exec(command)![1], "base64").toString("utf8");

/**
 * Values a step gets that may be empty, which `need` (a non-empty check) cannot ask for: the
 * release step's archive and its checksum are empty for a pinned release already on the servers,
 * its links into the data directory for any app but a classic one with file storage, and the
 * modules whose imports it checks for the bundled app (whose packages the stack installs).
 */
const OPTIONAL: Record<string, string[]> = {
  release: ["HBNB_ARCHIVE", "HBNB_ARCHIVE_SHA256", "HBNB_DATA_LINKS", "HBNB_APP_MODULES"],
};

describe("each step's needed values are exactly its exports", () => {
  test.each(plan.steps.map((s) => [s.name, s] as const))("%s", (name, step) => {
    const script = files.scripts[name];
    expect(needed(script).sort()).toEqual(
      exported(step.stdin.replace(files.scripts.lib, "").replace(script, ""))
        .filter((value) => !(OPTIONAL[name] ?? []).includes(value))
        .sort(),
    );
  });

  test.each(plan.steps.filter((s) => s.undo).map((s) => [s.undo!.name, s.undo!] as const))("%s", (name, undo) => {
    const script = files.scripts[name];
    expect(needed(script).sort()).toEqual(exported(undoText(undo.command).replace(script, "")).sort());
  });

  test("the rollback command exports every value switch.sh needs but the release, which rollback.sh sets", () => {
    const command = plan.configs.rollback;
    const values = [...command.matchAll(/\b(HBNB_[A-Z0-9_]+)=/g)].map((m) => m[1]);
    expect(values.sort()).toEqual(
      needed(files.scripts.switch)
        .filter((name) => name !== "HBNB_RELEASE")
        .sort(),
    );
    expect(files.scripts.rollback).toContain(
      'HBNB_RELEASE=$target HBNB_STEP=rollback exec bash "$(dirname "$0")/switch.sh"',
    );
  });

  test("every step and undo with values has a need line (the wait step has none to need)", () => {
    const names = [...plan.steps.map((s) => s.name), ...plan.steps.filter((s) => s.undo).map((s) => s.undo!.name)];
    expect(names.filter((name) => needed(files.scripts[name]).length === 0)).toEqual(["wait"]);
  });
});
