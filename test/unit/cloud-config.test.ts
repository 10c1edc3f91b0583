import { parse } from "yaml";
import type { AwsHosts as AwsHostsType, AwsHostsArgs } from "../../components/aws-hosts";
import { SSH_SOCKET_DROPIN, SSHD_PORT_FILE, sshUserData } from "../../core/cloud-config";
import * as mocks from "./mocks";
import { ofType, valueOf } from "./mocks";

// The booted behaviour (cloud-init applying this on a socket-activated server, SSH then on
// 2222 only) is tested end to end on the local cloud image: test/e2e/cloud.test.ts.

/** The lines of a config file that are not comments. */
const directives = (content: string) => content.split("\n").filter((line) => line !== "" && !line.startsWith("#"));

interface CloudConfig {
  write_files: { path: string; owner: string; permissions: string; content: string }[];
  runcmd?: string[];
}

function rendered(sshPort: number, ubuntuRelease: "22.04" | "24.04"): { text: string; config: CloudConfig } {
  const text = sshUserData({ sshPort, ubuntuRelease });
  if (text === undefined) throw new Error(`no user data for ${sshPort} on ${ubuntuRelease}`);
  return { text, config: parse(text) as CloudConfig };
}

describe("the EC2 user data", () => {
  test.each([
    [22, "deploy", { user: "deploy" }],
    [2222, "deploy", { user: "deploy", write_files: [expect.objectContaining({ path: SSHD_PORT_FILE })] }],
    [22, "ubuntu", undefined],
  ] as const)("port %d, sshUser %s: the image's default user renamed only when it differs", (port, user, expected) => {
    const text = sshUserData({ sshPort: port, ubuntuRelease: "22.04", sshUser: user });
    expect(text === undefined ? undefined : parse(text)).toEqual(expected);
  });

  test.each(["22.04", "24.04"] as const)("port 22 on %s: none, the image already listens there", (release) => {
    expect(sshUserData({ sshPort: 22, ubuntuRelease: release })).toBeUndefined();
  });

  test.each(["22.04", "24.04"] as const)("2222 on %s: a cloud-config, as cloud-init recognises one", (release) => {
    // cloud-init's user-data handler takes a part as cloud-config when it starts with this line
    // (canonical/cloud-init, cloudinit/handlers/cloud_config.py, and the format docs).
    expect(rendered(2222, release).text.split("\n")[0]).toBe("#cloud-config");
  });

  test("2222 on 22.04: only sshd's Port, in the drop-in directory sshd_config includes first", () => {
    const { config } = rendered(2222, "22.04");
    expect(Object.keys(config)).toEqual(["write_files"]);
    expect(config.write_files.map((f) => [f.path, f.owner, f.permissions])).toEqual([
      [SSHD_PORT_FILE, "root:root", "0644"],
    ]);
    expect(SSHD_PORT_FILE).toMatch(/^\/etc\/ssh\/sshd_config\.d\/[^/]+\.conf$/);
    expect(directives(config.write_files[0].content)).toEqual(["Port 2222"]);
  });

  test("2222 on 24.04: Port, the socket drop-in that replaces port 22, and the reload that applies it", () => {
    const { config } = rendered(2222, "24.04");
    expect(Object.keys(config)).toEqual(["write_files", "runcmd"]);
    expect(config.write_files.map((f) => [f.path, f.owner, f.permissions])).toEqual([
      [SSHD_PORT_FILE, "root:root", "0644"],
      [SSH_SOCKET_DROPIN, "root:root", "0644"],
    ]);
    expect(SSH_SOCKET_DROPIN).toMatch(/^\/etc\/systemd\/system\/ssh\.socket\.d\/[^/]+\.conf$/);
    expect(directives(config.write_files[0].content)).toEqual(["Port 2222"]);
    // The empty ListenStream= first: without it the socket would listen on 22 and 2222. Both
    // families explicitly, each its own socket: a port alone is IPv6 only under ipv6-only.
    expect(directives(config.write_files[1].content)).toEqual([
      "[Socket]",
      "ListenStream=",
      "ListenStream=0.0.0.0:2222",
      "ListenStream=[::]:2222",
      "BindIPv6Only=ipv6-only",
    ]);
    expect(config.runcmd).toEqual(["systemctl daemon-reload", "systemctl restart ssh.socket"]);
  });

  test("the port is the one asked for", () => {
    const { config } = rendered(40022, "24.04");
    expect(directives(config.write_files[0].content)).toEqual(["Port 40022"]);
    expect(directives(config.write_files[1].content)).toEqual(
      expect.arrayContaining(["ListenStream=0.0.0.0:40022", "ListenStream=[::]:40022"]),
    );
  });

  test("every file written ends with a newline, as sshd and systemd read whole lines", () => {
    for (const file of rendered(2222, "24.04").config.write_files) expect(file.content.endsWith("\n")).toBe(true);
  });
});

describe("the instance input", () => {
  type HostsModule = typeof import("../../components/aws-hosts");
  const cases = [
    ["22.04", 22],
    ["22.04", 2222],
    ["24.04", 22],
    ["24.04", 2222],
  ] as const;
  const nameOf = (release: string, port: number) => `u${release.replace(".", "")}p${port}`;
  const hosts: AwsHostsType[] = [];

  beforeAll(async () => {
    await mocks.setupMocks();
    const Hosts: HostsModule["AwsHosts"] = (await import("../../components/aws-hosts")).AwsHosts;
    for (const [release, port] of cases) {
      const args: AwsHostsArgs = {
        ubuntuRelease: release,
        instanceType: "t3.micro",
        count: 1,
        adminCidrs: ["198.51.100.7/32"],
        sshPort: port,
        sshUser: "ubuntu",
        publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIUserDataKey admin@example",
        rootVolumeSize: 16,
        dataVolumeSize: 10,
        dataDir: "/var/lib/hbnb",
        finalSnapshot: true,
        tags: { Project: "hbnb-stack" },
      };
      hosts.push(new Hosts(nameOf(release, port), args));
    }
    await Promise.all(hosts.flatMap((h) => h.instanceIds.map(valueOf)));
  });

  test.each(cases)("Ubuntu %s, SSH on %d: the instance gets exactly the rendered user data", (release, port) => {
    const [instance] = ofType("aws:ec2/instance:Instance", `${nameOf(release, port)}-`);
    expect(instance.inputs.userData).toBe(sshUserData({ sshPort: port, ubuntuRelease: release }));
    expect(instance.inputs.userDataBase64).toBeUndefined();
  });

  test.each(["22.04", "24.04"] as const)(
    "Ubuntu %s, SSH on 2222: a change of user data replaces the instance",
    (release) => {
      // cloud-init applies user data at an instance's first boot only: an in-place update (stop,
      // new user data, start) would leave sshd on the old port.
      const [instance] = ofType("aws:ec2/instance:Instance", `${nameOf(release, 2222)}-`);
      expect(instance.inputs.userDataReplaceOnChange).toBe(true);
    },
  );

  test.each(["22.04", "24.04"] as const)(
    "Ubuntu %s, SSH on 22: no user data input at all, so instances made before it see no change",
    (release) => {
      const [instance] = ofType("aws:ec2/instance:Instance", `${nameOf(release, 22)}-`);
      expect(instance.inputs).not.toHaveProperty("userData");
      expect(instance.inputs).not.toHaveProperty("userDataReplaceOnChange");
    },
  );
});
