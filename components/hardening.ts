import * as nunjucks from "nunjucks";
import { Layout } from "./render";
import { SshSettings } from "./settings";

/**
 * The host's own hardening (the harden step): SSH, kernel, fail2ban, security upgrades, log
 * rotation, core dumps. Each file is a template in files/hardening/ and a row here; its kind
 * tells files/scripts/harden.sh how to check it and what applies it.
 */
export type HardeningKind =
  /** `sshd -t` with the file in place (taken out again if refused), then reload ssh. */
  | "sshd"
  /** Each key applied with sysctl -w at once; kept for boot by systemd-sysctl. */
  | "sysctl"
  /** `fail2ban-client -t`, then reload (or start) fail2ban. */
  | "fail2ban"
  /** apt.conf syntax checked by `apt-config dump`. */
  | "apt"
  /** `logrotate --debug` of the file. */
  | "logrotate"
  /** A drop-in of logrotate.timer: daemon-reload and restart of the timer. */
  | "timer"
  /** Read by its program at its next start: installed, nothing to reload. */
  | "plain"
  /**
   * KEY VALUE or key=value lines, each set in the distribution's file; its other lines stay as
   * they are. The path may list other places of the file, space-separated: the first that exists
   * is the one; none, and the file is skipped (not on this system).
   */
  | "keys"
  /** As keys, in Nginx's own nginx.conf ("directive value;" lines); then `nginx -t` and a reload. */
  | "nginx-keys";

export interface HardeningFile {
  name: string;
  kind: HardeningKind;
  path: string;
  mode: string;
  text: string;
}

/** What the templates see: the layout, and the SSH user and port the deploy itself uses. */
export interface HardeningValues extends Layout {
  sshUser: string;
  sshPort: number;
}

const HARDENING_FILES: { name: string; kind: HardeningKind; template: string; path: (l: Layout) => string }[] = [
  // "10-": read before the distribution's and the cloud image's drop-ins (the first value wins).
  { name: "sshd", kind: "sshd", template: "sshd.conf.njk", path: () => "/etc/ssh/sshd_config.d/10-hbnb-stack.conf" },
  { name: "sysctl", kind: "sysctl", template: "sysctl.conf.njk", path: () => "/etc/sysctl.d/90-hbnb-stack.conf" },
  {
    name: "fail2ban",
    kind: "fail2ban",
    template: "fail2ban.local.njk",
    path: () => "/etc/fail2ban/jail.d/hbnb-stack.local",
  },
  // "52": after the distribution's 20auto-upgrades and 50unattended-upgrades, so its values win.
  {
    name: "upgrades",
    kind: "apt",
    template: "auto-upgrades.njk",
    path: () => "/etc/apt/apt.conf.d/52hbnb-stack-auto-upgrades",
  },
  { name: "logrotate", kind: "logrotate", template: "logrotate.njk", path: (l) => `/etc/logrotate.d/${l.service}` },
  {
    name: "logrotate-timer",
    kind: "timer",
    template: "logrotate-timer.conf.njk",
    path: () => "/etc/systemd/system/logrotate.timer.d/hbnb-stack.conf",
  },
  {
    name: "coredump",
    kind: "plain",
    template: "coredump.conf.njk",
    path: () => "/etc/systemd/coredump.conf.d/hbnb-stack.conf",
  },
  { name: "limits", kind: "plain", template: "limits.conf.njk", path: () => "/etc/security/limits.d/hbnb-stack.conf" },
  { name: "profile", kind: "plain", template: "profile.sh.njk", path: () => "/etc/profile.d/hbnb-stack.sh" },
  { name: "modprobe", kind: "plain", template: "modprobe.conf.njk", path: () => "/etc/modprobe.d/hbnb-stack.conf" },
  // The distribution's own file (login.defs has no drop-in directory): only the keys listed change.
  { name: "login-defs", kind: "keys", template: "login.defs.njk", path: () => "/etc/login.defs" },
  // ufw applies its own kernel settings at each start: they must agree with the sysctl file above.
  { name: "ufw-sysctl", kind: "keys", template: "ufw-sysctl.njk", path: () => "/etc/ufw/sysctl.conf" },
  // chkrootkit's daily report to the journal: no mail transport here. Its file is in
  // /etc/chkrootkit/ from Debian's 0.55-2 on (Ubuntu 22.04's 0.55-4, Ubuntu 24.04, Debian 12 and
  // 13: the packages' file lists); releases before kept it in /etc/chkrootkit.conf (debconf), as
  // a system upgraded from them may still have it.
  {
    name: "chkrootkit",
    kind: "keys",
    template: "chkrootkit.conf.njk",
    path: () => "/etc/chkrootkit/chkrootkit.conf /etc/chkrootkit.conf",
  },
  // How many connections Nginx holds: only nginx.conf's main and events levels take it.
  { name: "nginx-connections", kind: "nginx-keys", template: "nginx.conf.njk", path: () => "/etc/nginx/nginx.conf" },
  // Ubuntu's crash reporter off (with apport.service masked by the harden step): see the file.
  { name: "apport", kind: "keys", template: "apport.njk", path: () => "/etc/default/apport" },
];

/** Packages the harden step needs (added to the packages step). */
export const HARDENING_PACKAGES = [
  // Bans addresses that keep failing SSH logins; python3-systemd lets it read the journal;
  // nftables is the program its bans run (the package only recommends it).
  "fail2ban",
  "python3-systemd",
  "nftables",
  // Installs security updates every day.
  "unattended-upgrades",
  // Log rotation (present on cloud images, but not on every minimal system).
  "logrotate",
  // Each login session gets a private temporary directory: no races in a shared /tmp.
  "libpam-tmpdir",
  // Integrity checks: installed files against their packages' checksums (debsums, run by the
  // operator), and a daily scan for known rootkits (chkrootkit, reporting to the journal).
  "debsums",
  "chkrootkit",
  // New local passwords must be strong (pam_pwquality in passwd's PAM stack).
  "libpam-pwquality",
  // Shows the NEWS of packages as they are upgraded (what changed in behaviour, by hand).
  "apt-listchanges",
];

export function renderHardening(
  templates: Record<string, string>,
  layout: Layout,
  ssh: Pick<SshSettings, "user" | "port">,
): HardeningFile[] {
  // Config files are not HTML: no escaping; a value that is missing is an error, not "".
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: true });
  const values: HardeningValues = { ...layout, sshUser: ssh.user, sshPort: ssh.port };
  return HARDENING_FILES.map((file) => {
    const template = templates[`hardening/${file.template}`];
    if (template === undefined) throw new Error(`template files/hardening/${file.template} is missing`);
    return {
      name: file.name,
      kind: file.kind,
      path: file.path(layout),
      mode: "0644",
      text: env.renderString(template, values),
    };
  });
}
