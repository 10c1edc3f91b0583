import { TestServer } from "./server";

/**
 * The local EBS volume: a server booted with a data disk of its own (local/host.sh --data-disk)
 * keeps the app's data directory on it through the plan's volume step (files/scripts/volume.sh),
 * as an instance on AWS keeps it on its EBS volume. The server is then replaced as an instance is
 * (its root deleted, a fresh one booted under the same name, the data disk kept) and deployed
 * again: what was written through the API before is there, and the app writes again.
 */
jest.setTimeout(15 * 60_000);
const server = new TestServer("hbnb-e2e-volume");
let dataDir: string;

/** The source and type of what is mounted at the data directory, or "" when nothing is. */
async function mounted(): Promise<string> {
  return (await server.sh(`findmnt -n -o SOURCE,FSTYPE ${dataDir} || true`)).out;
}

beforeAll(async () => {
  await server.create({ dataDisk: true });
  dataDir = server.settings.app.dataDir;
});
afterAll(() => server.destroy());

test("the first deploy formats the blank data disk once and mounts it at the data directory, by UUID in fstab", async () => {
  const device = server.host.dataDevice!;
  expect(device).toMatch(/^\/dev\/loop\d+$/);
  expect(await mounted()).toBe("");
  const reports = await server.deploy();
  expect(reports.map((r) => r.step).slice(0, 3)).toEqual(["wait", "volume", "packages"]);
  const volume = reports.find((r) => r.step === "volume")!.output;
  expect(volume).toContain(`changed: made an ext4 filesystem on ${device}`);
  expect(volume).toContain(`changed: mounted ${device} at ${dataDir}`);
  expect(await mounted()).toBe(`${device} ext4`);
  const uuid = (await server.sh(`sudo blkid -p -s UUID -o value ${device}`)).out;
  expect((await server.sh(`grep -F ' ${dataDir} ' /etc/fstab`)).out).toBe(
    `UUID=${uuid} ${dataDir} ext4 defaults,nofail 0 2`,
  );
  // The app's database is on the disk.
  expect((await server.sh(`sudo test -s ${dataDir}/hbnb.db && echo there`)).out).toBe("there");
});

test("replaced (a fresh root, a new boot) and deployed again: the data written through the API is there", async () => {
  const state = await server.created("/api/v1/states", { name: "Kept State" });
  const before = (await server.sh("cat /etc/machine-id")).out;
  const owner = (await server.sh(`sudo stat -c %u:%g ${dataDir}/hbnb.db`)).out;

  await server.replace();
  // A fresh root: another machine, with nothing of the stack, and the disk not mounted yet.
  expect((await server.sh("cat /etc/machine-id")).out).not.toBe(before);
  expect((await server.sh("getent passwd hbnb || echo none")).out).toBe("none");
  expect(await mounted()).toBe("");
  // As a new image with one more system user: the app's user then gets another uid and gid
  // (useradd --system takes the highest free one) than the files on the disk have.
  await server.run("sudo useradd --system --user-group --no-create-home --shell /usr/sbin/nologin imagesown");

  const reports = await server.deploy();
  // Every step ran again (a new server), and the volume step did not format the disk again.
  expect(reports.filter((r) => !r.ran).map((r) => r.step)).toEqual([]);
  const volume = reports.find((r) => r.step === "volume")!.output;
  expect(volume).not.toContain("made an ext4 filesystem");
  expect(volume).toContain(`changed: mounted ${server.host.dataDevice} at ${dataDir}`);

  const now = `${(await server.sh("id -u hbnb")).out}:${(await server.sh("id -g hbnb")).out}`;
  expect(now).not.toBe(owner);
  expect(reports.find((r) => r.step === "users")!.output).toMatch(
    new RegExp(`changed: gave hbnb the [1-9]\\d* file\\(s\\) in ${dataDir} an earlier server's user owned`),
  );
  expect((await server.sh(`sudo find ${dataDir} -mindepth 1 ! -user root ! -user hbnb`)).out).toBe("");
  expect((await server.sh(`sudo stat -c %u:%g ${dataDir}/hbnb.db`)).out).toBe(now);

  const kept = await server.http(`/api/v1/states/${state}`);
  expect([kept.status, (JSON.parse(kept.body) as { name: string }).name]).toEqual([200, "Kept State"]);
  // And the app writes there again, with the same API token (the stack's secret, not the server's).
  await server.created("/api/v1/states", { name: "After the replacement" });
});
