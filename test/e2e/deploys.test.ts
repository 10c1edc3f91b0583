import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APP_DIR, Bundle, buildBundle } from "../../core/bundle";
import { loadServerFiles, ServerFiles } from "../../core/files";
import { buildPlan } from "../../core/plan";
import { StepReport } from "../../local/runner";
import { TestServer } from "./server";
import { expectNoFailure, failure, underLoad } from "./wait";

/**
 * Deploys without interruption, on a real local server under a bounded load from outside:
 * a new release goes live with no failed request; a broken release, or a config Nginx
 * rejects, stops the deploy with a clear error while the release that serves keeps serving;
 * the classic reload script keeps the master and replaces every worker; rollbacks.
 */
jest.setTimeout(10 * 60_000);
const server = new TestServer("hbnb-e2e-deploys");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-deploys-"));
let good: string;
let goodBundle: Bundle;

/** A release of the app with CHANGE applied to a copy of it (file → text added at its end, or at its top). */
function releaseWith(name: string, change: Record<string, string>, where: "end" | "top" = "end"): Bundle {
  const app = path.join(work, name, "app");
  fs.cpSync(APP_DIR, app, { recursive: true });
  for (const [file, text] of Object.entries(change)) {
    const original = fs.readFileSync(path.join(app, file), "utf8");
    fs.writeFileSync(path.join(app, file), where === "end" ? original + text : text + original);
  }
  return buildBundle(path.join(work, name, "build"), app);
}

const deployOf = (bundle: Bundle, files: ServerFiles = loadServerFiles()) =>
  server.deploy(buildPlan(server.settings, bundle, files));

const ran = (reports: StepReport[]) => reports.filter((r) => r.ran).map((r) => r.step);

beforeAll(async () => {
  await server.create();
  await server.deploy();
  good = await server.serving();
});
afterAll(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  await server.destroy();
});

describe("a good release", () => {
  test("goes live under load with no failed request, and the new code is what answers", async () => {
    const next = releaseWith("next", {
      "hbnb/wsgi.py": "\n# the next release\n",
      "hbnb/templates/number_odd_or_even.html": "\n<!-- the next release -->\n",
    });
    // Nginx holds both releases' answers in its cache: the old ones must not outlive the switch.
    for (const route of ["/", "/", "/airbnb-dynamic/number_odd_or_even/7", "/airbnb-dynamic/number_odd_or_even/7"]) {
      await server.http(route);
    }
    expect((await server.http("/airbnb-dynamic/number_odd_or_even/7")).headers.get("x-cache-status")).toBe("HIT");
    const before = await server.gunicorn();
    const { result, loads } = await underLoad(server, () => deployOf(next));
    expect(ran(result)).toEqual(["release", "database", "switch", "prune"]);
    expectNoFailure(loads);
    expect(await server.serving()).toBe(next.release);
    expect((await server.http("/airbnb-dynamic/number_odd_or_even/7")).body).toContain("<!-- the next release -->");
    expect((await server.http("/")).body).toContain(`?v=${next.release}`);
    const after = await server.gunicorn();
    expect(after.master).toBe(before.master);
    expect(after.workers.filter((pid) => before.workers.includes(pid))).toEqual([]);
    good = next.release;
    goodBundle = next;
  });

  test("what the site's users deleted or changed stays so: a deploy restores no demo row", async () => {
    type Amenity = { id: string; name: string };
    const amenities = async () => JSON.parse((await server.http("/api/v1/amenities")).body) as Amenity[];
    const [renamed, deleted] = await amenities();
    const put = await server.http(`/api/v1/amenities/${renamed.id}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Renamed by its users" }),
    });
    expect(put.status).toBe(200);
    expect((await server.http(`/api/v1/amenities/${deleted.id}`, { method: "DELETE" })).status).toBe(200);
    const before = await amenities();
    // The release that serves, deployed again with every step forced: the database step runs
    // with the demo data on (the default).
    const result = await server.deploy(buildPlan(server.settings, goodBundle, loadServerFiles()), { force: true });
    expect(result.find((r) => r.step === "database")?.output).toContain("database: seed: nothing to add");
    expect(await server.serving()).toBe(good);
    expect(await amenities()).toEqual(before);
    expect(before.find((a) => a.id === renamed.id)?.name).toBe("Renamed by its users");
    expect(before.find((a) => a.id === deleted.id)).toBeUndefined();
  });

  test("a new environment restarts the master under load with no failed request: the socket is systemd's and stays", async () => {
    const before = await server.gunicorn();
    // apiWriteAccess is in the app's environment, which Gunicorn reads only when it starts.
    server.configure({ apiWriteAccess: "open" });
    try {
      const { result, loads } = await underLoad(server, () => deployOf(goodBundle));
      expect(ran(result)).toEqual(["secrets", "database", "switch"]);
      expect(result.find((r) => r.step === "switch")?.output).toContain(`restarted hbnb: release ${good} answers`);
      expectNoFailure(loads);
      expect((await server.gunicorn()).master).not.toBe(before.master);
    } finally {
      server.configure({});
      await deployOf(goodBundle);
    }
  });

  test("the classic reload script keeps the master, replaces every worker, fails no request", async () => {
    const before = await server.gunicorn();
    const { result, loads } = await underLoad(server, () => server.sh("sudo hbnb-reload"));
    expect(result.code).toBe(0);
    expect(result.out).toContain(`master ${before.master} kept`);
    expectNoFailure(loads);
    const after = await server.gunicorn();
    expect(after.master).toBe(before.master);
    expect(after.workers).toHaveLength(before.workers.length);
    expect(after.workers.filter((pid) => before.workers.includes(pid))).toEqual([]);
  });
});

describe("a broken release never replaces the good one", () => {
  test.each<[string, Record<string, string>, "end" | "top", string, RegExp]>([
    ["a syntax error", { "hbnb/wsgi.py": "\ndef broken(:\n" }, "end", "release", /does not compile/],
    [
      "an import error in the app's entry point",
      { "hbnb/wsgi.py": "import hbnb_module_that_does_not_exist\n" },
      "top",
      "switch",
      /failed its canary check: Gunicorn exited at start.*No module named 'hbnb_module_that_does_not_exist'/s,
    ],
    [
      // The database step imports the package with the new code first, so it is what stops.
      "an import error in the package",
      { "hbnb/__init__.py": "import hbnb_module_that_does_not_exist\n" },
      "top",
      "database",
      /seeding with release r-[0-9a-f]{12} failed: .*No module named 'hbnb_module_that_does_not_exist'/s,
    ],
    [
      "a crash at start",
      { "hbnb/wsgi.py": '\nraise RuntimeError("crash at start")\n' },
      "end",
      "switch",
      /failed its canary check: Gunicorn exited at start.*crash at start/,
    ],
    [
      "a health check that never passes",
      {
        "hbnb/wsgi.py":
          '\n@app.before_request\ndef _unhealthy():\n    from flask import request\n    if request.path == "/-/health":\n        return {"status": "broken"}, 503\n',
      },
      "end",
      "switch",
      /failed its canary check: its health check never answered with it in 30 s/,
    ],
    [
      "a migration that fails",
      { "hbnb/seed.py": 'raise SystemExit("migration failed: column places.rating")\n' },
      "top",
      "database",
      /seeding with release r-[0-9a-f]{12} failed: migration failed: column places.rating/,
    ],
  ])(
    "%s: the deploy stops at %s with a clear error; the good release keeps serving",
    async (name, change, where, step, message) => {
      const broken = releaseWith(name.replace(/\W+/g, "-"), change, where);
      const { result: error, loads } = await underLoad(server, () => failure(deployOf(broken)));
      expect(error.step).toBe(step);
      expect(error.output).toMatch(message);
      expect(error.output).toContain(broken.release);
      expectNoFailure(loads);
      expect(await server.serving()).toBe(good);
      expect((await server.sh("sudo readlink /srv/hbnb/current")).out).toBe(`releases/${good}`);
    },
  );

  test("a config that nginx -t rejects never reaches the running Nginx", async () => {
    const files = loadServerFiles();
    const site = files.templates["nginx/site.conf.njk"];
    const broken = {
      ...files,
      templates: {
        ...files.templates,
        // At the top level of the site file, which Nginx includes in its http block.
        "nginx/site.conf.njk": `${site}\nnot_a_directive on;\n`,
      },
    };
    const before = (await server.sh("sudo cat /etc/nginx/sites-available/hbnb")).out;
    const { result: error, loads } = await underLoad(server, () =>
      failure(server.deploy(buildPlan(server.settings, goodBundle, broken))),
    );
    expect(error.step).toBe("configs");
    expect(error.output).toMatch(
      /nginx -t rejected the new configuration, which was taken out again.*not_a_directive/s,
    );
    expectNoFailure(loads);
    expect((await server.sh("sudo cat /etc/nginx/sites-available/hbnb")).out).toBe(before);
    expect((await server.sh("sudo nginx -t 2>&1")).out).toContain("test is successful");
  });
});

describe("rollback", () => {
  let previous: string;
  beforeAll(async () => {
    const history = (await server.sh("sudo cat /var/lib/hbnb-stack/hbnb.history")).out.split("\n");
    const served = history.map((line) => line.split(" ")[1]);
    expect(served.slice(-1)).toEqual([good]);
    previous = served[served.length - 2];
  });

  test("one config change in the stack pins the release that serves", async () => {
    server.configure({ release: previous });
    const { result, loads } = await underLoad(server, () => server.deploy());
    expect(ran(result)).toEqual(["release", "database", "switch", "prune"]);
    expectNoFailure(loads);
    expect(await server.serving()).toBe(previous);
  });

  test("one command on the server goes back to the release before, under load", async () => {
    const { result, loads } = await underLoad(server, () => server.sh("sudo hbnb-rollback 2>&1"));
    expect(result.code).toBe(0);
    expect(result.out).toContain(`rolling back from ${previous} to ${good}`);
    expectNoFailure(loads);
    expect(await server.serving()).toBe(good);
  });

  test("pinning a release that is not on the server fails before anything changes", async () => {
    server.configure({ release: "r-000000000000" });
    const error = await failure(server.deploy());
    expect(error.step).toBe("release");
    expect(error.output).toMatch(
      /release r-000000000000 is not on this server, so it cannot be pinned; releases here: .*r-/,
    );
    expect(await server.serving()).toBe(good);
  });
});

describe("pruning", () => {
  test("keeps the configured number of releases, and always the live one", async () => {
    server.configure({ keepReleases: "2" });
    await server.deploy();
    const releases = (await server.sh("sudo ls /srv/hbnb/releases")).out.split("\n");
    expect(releases).toHaveLength(2);
    expect(releases).toContain(await server.serving());
  });
});

describe("a cold start (no release went live here yet)", () => {
  // Gunicorn and its socket off and not enabled at boot, no `current`: the server as before its
  // first switch.
  const coldState = async (): Promise<string[]> =>
    (
      await server.sh(
        "for unit in hbnb hbnb.socket; do systemctl is-active -q $unit && echo active || echo stopped; done; " +
          "systemctl is-enabled hbnb hbnb.socket || true; " +
          "sudo test -e /srv/hbnb/current && echo current || echo no current",
      )
    ).out.split("\n");

  test("a release that crashes at start fails the switch, which leaves the server as it was; a good one then goes live", async () => {
    expect(
      (await server.sh("sudo systemctl disable -q --now hbnb hbnb.socket && sudo rm /srv/hbnb/current")).code,
    ).toBe(0);
    expect(await coldState()).toEqual(["stopped", "stopped", "disabled", "disabled", "no current"]);
    // With no release to keep serving there is no canary: the start itself is the check.
    const broken = releaseWith("cold-crash", { "hbnb/wsgi.py": '\nraise RuntimeError("crash at start")\n' });
    const error = await failure(deployOf(broken));
    expect(error.step).toBe("switch");
    expect(error.output).toMatch(
      new RegExp(
        `release ${broken.release} failed: (systemctl start hbnb failed|` +
          `its health check never answered with it \\(last answer: none: Gunicorn exited\\))`,
      ),
    );
    expect(await coldState()).toEqual(["stopped", "stopped", "disabled", "disabled", "no current"]);
    // The runner kept the switch of the release that served last as done: forced, it runs again.
    await server.deploy(server.plan, { force: true });
    expect(await server.serving()).toBe(server.plan.release);
    expect(await coldState()).toEqual(["active", "active", "enabled", "enabled", "current"]);
  });
});
