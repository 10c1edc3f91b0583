import { Document } from "yaml";
import { UbuntuRelease } from "./settings";

export interface SshBootArgs {
  /** The port the plan (and the security group) will use for SSH. */
  sshPort: number;
  /** The Ubuntu release of the image: it decides what listens for SSH. */
  ubuntuRelease: UbuntuRelease;
  /** The user every step connects as; Canonical's images make `ubuntu` (DEFAULT_USER). */
  sshUser?: string;
}

/** The user Canonical's images create, with the instance's key and passwordless sudo. */
export const DEFAULT_USER = "ubuntu";

/** Where sshd (and Ubuntu 24.04's ssh socket generator) read the port. */
export const SSHD_PORT_FILE = "/etc/ssh/sshd_config.d/10-hbnb-stack-port.conf";
/** The drop-in that moves systemd's listening socket on socket-activated releases. */
export const SSH_SOCKET_DROPIN = "/etc/systemd/system/ssh.socket.d/10-hbnb-stack-port.conf";

// Ubuntu's OpenSSH is socket-activated from 22.10 on (systemd listens, sshd starts per
// connection): https://discourse.ubuntu.com/t/sshd-now-uses-socket-based-activation-ubuntu-22-10-and-later/30189
// 22.04 keeps a plain sshd that binds the port itself.
const socketActivated: Record<UbuntuRelease, boolean> = { "22.04": false, "24.04": true };

/**
 * The EC2 user data of a web host: a cloud-config for the image's own cloud-init that puts SSH
 * on `sshPort`, for `sshUser`, before the first connection. Only that: packages, users,
 * hardening and the firewall are the plan's, which applies them over SSH, idempotently, on every
 * `pulumi up`. Undefined for port 22 and the user `ubuntu`, which Canonical's images already
 * have: no user data, as before.
 *
 * Another `sshUser`: cloud-init's `user` key renames the image's default user, keeping its
 * groups, passwordless sudo and the instance's key (canonical/cloud-init,
 * cloudinit/distros/ug_util.py, normalize_users_groups: `user` merged over the distro's
 * default_user), so the plan connects as that user from the first step.
 *
 * When each part takes effect, from cloud-init's own units (canonical/cloud-init,
 * systemd/cloud-init-network.service.tmpl, on Debian and Ubuntu):
 * - `write_files` runs in the network stage, ordered `Before=sshd.service` and
 *   `Before=sysinit.target`. On 22.04 ssh.service (alias sshd.service) therefore starts after the
 *   file exists and binds the new port at once, and `Include /etc/ssh/sshd_config.d/*.conf`
 *   heads Ubuntu's sshd_config.
 * - On 24.04 ssh.socket (a socket unit, after sysinit.target) also starts after the files exist,
 *   but systemd loaded its units (and ran Ubuntu's sshd-socket-generator, which turns a `Port`
 *   into `ListenStream=` lines) before cloud-init wrote them: a `Port` line alone never reaches
 *   the socket until a `daemon-reload` and a restart of ssh.socket, as Ubuntu documents in the
 *   post above. The explicit drop-in does not depend on that generator (Debian's OpenSSH, the
 *   local cloud image, has none); where the generator runs, its addresses.conf (read after this
 *   file, starting with `ListenStream=`) says the same: 0.0.0.0 and [::] on the port in newer
 *   releases (a port alone in older ones, which listened IPv6-only once ssh.socket set
 *   `BindIPv6Only=ipv6-only`: github.com/becomingahacker/cloud-cml/issues/13). `runcmd` (final stage) reloads and restarts the socket; until
 *   then it listens on 22, which the security group keeps closed.
 */
export function sshUserData(args: SshBootArgs): string | undefined {
  const user = args.sshUser && args.sshUser !== DEFAULT_USER ? args.sshUser : undefined;
  if (args.sshPort === 22 && !user) return undefined;
  const port = args.sshPort;
  const moved = port !== 22;
  const files = [];
  if (moved) {
    files.push({
      path: SSHD_PORT_FILE,
      owner: "root:root",
      permissions: "0644",
      content: [
        "# Written by hbnb-stack's EC2 user data at first boot: the SSH port of this server.",
        "# sshd reads it; on socket-activated releases Ubuntu's ssh socket generator does too.",
        `Port ${port}`,
        "",
      ].join("\n"),
    });
  }
  const socket = moved && socketActivated[args.ubuntuRelease];
  if (socket) {
    files.push({
      path: SSH_SOCKET_DROPIN,
      owner: "root:root",
      permissions: "0644",
      content: [
        "# Written by hbnb-stack's EC2 user data at first boot: systemd, not sshd, listens for SSH",
        "# here (socket activation), so the port is moved on the socket.",
        "[Socket]",
        "# An empty value drops the packaged addresses (port 22) instead of adding to them.",
        "ListenStream=",
        "# Each family on its own socket, whatever the packaged unit's BindIPv6Only=: a port alone",
        "# would listen on IPv6 only where ssh.socket says ipv6-only, as Ubuntu's newer one does.",
        `ListenStream=0.0.0.0:${port}`,
        `ListenStream=[::]:${port}`,
        "BindIPv6Only=ipv6-only",
        "",
      ].join("\n"),
    });
  }
  const doc = new Document({
    ...(user && { user }),
    ...(moved && { write_files: files }),
    // The drop-in was written after systemd loaded the units: load it, then listen anew.
    ...(socket && {
      runcmd: ["systemctl daemon-reload", "systemctl restart ssh.socket"],
    }),
  });
  const what = [moved && `SSH on port ${port}`, user && `the user ${user}`].filter(Boolean).join(", for ");
  doc.commentBefore = ` hbnb-stack: ${what} from the first boot (Ubuntu ${args.ubuntuRelease}).`;
  // cloud-init takes user data as cloud-config only when its first line is exactly this.
  return `#cloud-config\n${doc.toString({ lineWidth: 0 })}`;
}
