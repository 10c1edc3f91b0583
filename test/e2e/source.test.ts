import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { commitHello, HELLO, PRESETS, writeRepo } from "./fixture-repos";
import { TestServer } from "./server";
import { gitDaemon, Server } from "../unit/git-fixtures";

/**
 * The local driver with a git appSource: the repository is served by git's own daemon on this
 * machine's loopback, fetched here by the driver (local/server.ts, source/fetch.ts) and reaches
 * the server in the release archive only; a new commit is a new release that serves.
 */
const server = new TestServer("hbnb-e2e-source");
const plain = PRESETS.plainFlask;
let work: string;
let daemon: Server;
let overrides: Record<string, string>;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-e2e-source-"));
  writeRepo(path.join(work, "repos", "plain"), plain);
  daemon = await gitDaemon(path.join(work, "repos"));
  overrides = {
    appSource: `git://127.0.0.1:${daemon.port}/plain`,
    appRef: "main",
    layout: "custom",
    services: JSON.stringify([
      { name: "web", app: "app:app", routes: [{ path: "/" }], static: [{ path: "/static/", dir: "static" }] },
    ]),
  };
  await server.create();
  server.configure(overrides);
  await server.deploy();
}, 900_000);

afterAll(async () => {
  await server.destroy();
  await daemon?.stop();
  fs.rmSync(work, { recursive: true, force: true });
}, 300_000);

test("the repository's commit serves, from outside", async () => {
  expect(await server.http("/hello")).toMatchObject({ status: 200, body: HELLO });
  expect(await server.serving()).toBe(server.plan.release);
  // The server needs no git: the release is the archive's files.
  expect((await server.sh("test -e /srv/hbnb/current/.git; echo $?")).out).toBe("1");
});

test("a new commit: a new release, which serves", async () => {
  const before = server.plan.release;
  commitHello(path.join(work, "repos", "plain"), plain, "Hello again!");
  server.configure(overrides);
  expect(server.plan.release).not.toBe(before);
  await server.deploy();
  expect(await server.http("/hello")).toMatchObject({ status: 200, body: "Hello again!" });
  expect(await server.serving()).toBe(server.plan.release);
}, 600_000);
