import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import { Sandbox } from "./sandbox";

/**
 * The volume step (files/scripts/volume.sh) on a real block device: a loop device over a file of
 * the test, standing in for the EBS volume, with the real blkid, mkfs.ext4 and mount, in the
 * sandbox's own mount namespace (its mounts end with it; /etc/fstab is the sandbox's overlay).
 * systemctl is a stub: the machine's systemd is not the server's. What landed on the volume is
 * read afterwards with debugfs, from the image itself.
 */
const sandboxes: Sandbox[] = [];
const loops: string[] = [];
afterAll(() => {
  loops.forEach((loop) => spawnSync("losetup", ["-d", loop]));
  sandboxes.forEach((sandbox) => sandbox.remove());
});

/** A sandbox with a 16 MiB loop device (blank, unless PREPARE makes something on it). */
function volume(prepare?: (device: string) => void) {
  const sandbox = new Sandbox();
  sandboxes.push(sandbox);
  sandbox.stub("systemctl", '#!/bin/sh\necho "systemctl $*" >>"$STUB_DIR/log"\n');
  const image = sandbox.path("state/volume.img");
  fs.writeFileSync(image, "");
  fs.truncateSync(image, 16 * 1024 * 1024);
  const device = execFileSync("losetup", ["--find", "--show", image], { encoding: "utf8" }).trim();
  loops.push(device);
  prepare?.(device);
  const dir = sandbox.path("root/var/lib/hbnb");
  const env = { HBNB_DATA_DEVICE: device, HBNB_DATA_DIR: dir, HBNB_DEVICE_WAIT: "5", HBNB_UNITS: "hbnb\nhbnbadmin" };
  return { sandbox, image, device, dir, env };
}

const uuidOf = (device: string) =>
  execFileSync("blkid", ["-p", "-s", "UUID", "-o", "value", device], { encoding: "utf8" }).trim();
/** The names at the top of the volume's filesystem. */
const filesOn = (image: string) =>
  execFileSync("debugfs", ["-R", "ls -p /", image], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
    .split("\n")
    .map((line) => line.split("/")[5])
    .filter((name) => name && name !== "." && name !== "..")
    .sort();

test("a blank volume: formatted ext4, in fstab by UUID, mounted at the data directory; run again, unchanged", () => {
  const { sandbox, device, dir, env } = volume();
  // The step twice in one mount namespace: the second run finds everything done.
  const result = sandbox.run("volume.sh", env, `bash ${__dirname}/../../files/scripts/volume.sh >"$STUB_DIR/first"`);
  const uuid = uuidOf(device);
  expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
  expect(sandbox.read("state/first")).toBe(
    [
      `volume: changed: made an ext4 filesystem on ${device}`,
      `volume: changed: added ${dir} to /etc/fstab (${device}, UUID ${uuid})`,
      `volume: changed: mounted ${device} at ${dir}`,
      "volume: done, 3 change(s)",
      "",
    ].join("\n"),
  );
  expect(result).toEqual({ code: 0, out: "volume: unchanged\n" });
  expect(sandbox.read("upper/fstab").split("\n").slice(-2)).toEqual([`UUID=${uuid} ${dir} ext4 defaults,nofail 0 2`, ""]);
  expect(sandbox.calls()).toBe("systemctl daemon-reload\n");
  expect(execFileSync("blkid", ["-p", "-s", "TYPE", "-o", "value", device], { encoding: "utf8" })).toBe("ext4\n");
});

test("the volume of a replaced instance: its filesystem and data kept, never formatted again", () => {
  const { sandbox, image, device, dir, env } = volume((dev) => {
    execFileSync("mkfs.ext4", ["-q", "-L", "hbnb-data", dev]);
    execFileSync("debugfs", ["-w", "-R", "mkdir kept", dev], { stdio: "ignore" });
  });
  const uuid = uuidOf(device);
  const result = sandbox.run("volume.sh", env);
  expect(result).toEqual({
    code: 0,
    out: [
      `volume: changed: added ${dir} to /etc/fstab (${device}, UUID ${uuid})`,
      `volume: changed: mounted ${device} at ${dir}`,
      "volume: done, 2 change(s)",
      "",
    ].join("\n"),
  });
  expect(uuidOf(device)).toBe(uuid);
  expect(filesOn(image)).toEqual(["kept", "lost+found"]);
});

test("data already in the directory (a stack from before the volume) is copied onto the new volume, the app stopped meanwhile", () => {
  const { sandbox, image, device, dir, env } = volume();
  sandbox.write("root/var/lib/hbnb/hbnb.db", "SQLite format 3\n");
  // The first service and its socket are running; the second service is not.
  sandbox.stub(
    "systemctl",
    '#!/bin/sh\necho "systemctl $*" >>"$STUB_DIR/log"\ncase "$*" in "is-active -q hbnbadmin"*) exit 3 ;; esac\n',
  );
  const result = sandbox.run("volume.sh", env);
  const uuid = uuidOf(device);
  expect(result).toEqual({
    code: 0,
    out: [
      `volume: changed: made an ext4 filesystem on ${device}`,
      `volume: changed: added ${dir} to /etc/fstab (${device}, UUID ${uuid})`,
      "volume: changed: stopped hbnb.socket hbnb.service while the data moves",
      `volume: changed: copied the data already in ${dir} onto the volume`,
      `volume: changed: mounted ${device} at ${dir}`,
      "volume: changed: started hbnb.socket hbnb.service again",
      "volume: done, 6 change(s)",
      "",
    ].join("\n"),
  });
  expect(sandbox.calls()).toBe(
    [
      "systemctl daemon-reload",
      "systemctl is-active -q hbnb.socket",
      "systemctl is-active -q hbnb.service",
      "systemctl is-active -q hbnbadmin.socket",
      "systemctl is-active -q hbnbadmin.service",
      "systemctl stop hbnb.socket hbnb.service",
      "systemctl start hbnb.socket hbnb.service",
      "",
    ].join("\n"),
  );
  expect(filesOn(image)).toEqual(["hbnb.db", "lost+found"]);
  expect(execFileSync("debugfs", ["-R", "cat /hbnb.db", image], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })).toBe(
    "SQLite format 3\n",
  );
});

test("another filesystem on the device is refused, not formatted", () => {
  const { sandbox, device, env } = volume((dev) => execFileSync("mkswap", [dev], { stdio: "ignore" }));
  const result = sandbox.run("volume.sh", env);
  expect(result).toEqual({
    code: 1,
    out: `volume: error: ${device} holds a swap filesystem, not the ext4 this step makes: not formatting it; mount it by hand or detach it\n`,
  });
  expect(execFileSync("blkid", ["-p", "-s", "TYPE", "-o", "value", device], { encoding: "utf8" })).toBe("swap\n");
});

test("a device that never appears: the step stops after its wait, naming the likely causes", () => {
  const sandbox = new Sandbox();
  sandboxes.push(sandbox);
  const device = "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0000000000000000";
  const result = sandbox.run("volume.sh", {
    HBNB_DATA_DEVICE: device,
    HBNB_DATA_DIR: sandbox.path("root/d"),
    HBNB_DEVICE_WAIT: "1",
    HBNB_UNITS: "hbnb",
  });
  expect(result).toEqual({
    code: 1,
    out: [
      `volume: waiting up to 1s for ${device}`,
      `volume: error: ${device} did not appear in 1s: is the data volume attached (its VolumeAttachment) and the instance type a Nitro one (t3, t4g, m5 and newer), whose EBS disks are NVMe?`,
      "",
    ].join("\n"),
  });
});
