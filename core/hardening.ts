/**
 * Packages the harden step needs (added to the packages step). Its files are rows of the one
 * registry of rendered files (core/render.ts, step "harden").
 */
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
