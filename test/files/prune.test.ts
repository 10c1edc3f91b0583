import * as fs from "fs";
import { Sandbox } from "./sandbox";

/**
 * What the prune step (files/scripts/prune.sh) keeps: the live release, then those that served
 * most recently (the switch step's history), then the others newest unpacked first; half-unpacked
 * leftovers go. The releases are under a temporary root, unpacked at the times the test sets.
 */
const sandboxes: Sandbox[] = [];
afterAll(() => sandboxes.forEach((sandbox) => sandbox.remove()));

/** Releases unpacked in the order given (the first the oldest), LIVE the one `current` points at. */
function server(releases: string[], live: string, history: string[]): Sandbox {
  const sandbox = new Sandbox();
  sandboxes.push(sandbox);
  releases.forEach((release, i) => {
    const dir = sandbox.path(`root/srv/hbnb/releases/${release}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.utimesSync(dir, 1_700_000_000 + i * 60, 1_700_000_000 + i * 60);
  });
  fs.symlinkSync(`releases/${live}`, sandbox.path("root/srv/hbnb/current"));
  sandbox.write("root/state/hbnb.history", history.map((r, i) => `2026-01-0${i + 1}T00:00:00Z ${r}\n`).join(""));
  return sandbox;
}

const prune = (sandbox: Sandbox, keep: number) =>
  sandbox.run("prune.sh", {
    HBNB_SERVICE: "hbnb",
    HBNB_APP_DIR: sandbox.path("root/srv/hbnb"),
    HBNB_STATE_DIR: sandbox.path("root/state"),
    HBNB_KEEP_RELEASES: String(keep),
    HBNB_UNITS: "hbnb",
  });
const left = (sandbox: Sandbox) => fs.readdirSync(sandbox.path("root/srv/hbnb/releases")).sort();

describe("prune.sh", () => {
  test("keeps the live release, then the history's newest, then the newest unpacked", () => {
    // r-a served, then r-b, then r-c (live, after a rollback to it); r-d and r-e never served,
    // r-e unpacked last (a release that failed its checks).
    const sandbox = server(["r-a", "r-b", "r-c", "r-d", "r-e"], "r-c", ["r-a", "r-b", "r-c"]);
    const result = prune(sandbox, 3);
    expect([result.code, left(sandbox)]).toEqual([0, ["r-a", "r-b", "r-c"]]);
    expect(result.out).toContain("prune: changed: removed old release r-e\nprune: changed: removed old release r-d\n");
    expect(result.out).toContain("prune: 5 release(s) before pruning, keeping 3");
  });

  test("a rollback's live release ranks first even when the history's last is another", () => {
    const sandbox = server(["r-a", "r-b", "r-c"], "r-a", ["r-a", "r-b", "r-c"]);
    expect(prune(sandbox, 2).code).toBe(0);
    expect(left(sandbox)).toEqual(["r-a", "r-c"]);
  });

  test("releases not in the history by the time they were unpacked; leftovers of an interrupted unpack go", () => {
    const sandbox = server(["r-a", "r-b", "r-c"], "r-a", []);
    fs.mkdirSync(sandbox.path("root/srv/hbnb/releases/.incoming-r-d"));
    const result = prune(sandbox, 2);
    expect([result.code, left(sandbox)]).toEqual([0, ["r-a", "r-c"]]);
    expect(result.out).toContain(`prune: changed: removed leftover ${sandbox.path("root/srv/hbnb/releases/.incoming-r-d")}`);
  });

  test("as many releases as it keeps: nothing removed, unchanged", () => {
    const sandbox = server(["r-a", "r-b"], "r-b", ["r-a", "r-b"]);
    const result = prune(sandbox, 2);
    expect([result.code, left(sandbox)]).toEqual([0, ["r-a", "r-b"]]);
    expect(result.out.trim().split("\n").slice(-1)).toEqual(["prune: unchanged"]);
  });
});
