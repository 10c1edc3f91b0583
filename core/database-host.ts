import { ServerFiles } from "./files";
import { MARIADB_CONFIG_PATH, MARIADB_PORT, MARIADB_SOCKET, MariadbNames } from "./mariadb";
import { DATABASE_TLS_SECRETS, Plan, secretToken, Step, step, undo } from "./plan";
import { renderTemplate } from "./render";
import { Settings } from "./settings";

/**
 * The database host's plan (setting databaseHost): MariaDB from the distribution for every web
 * server of the stack, on TCP port 3306 over TLS, which the host's firewall opens to the web
 * servers only and where the app's user exists at each web server's address only; a systemd timer dumps the
 * database every day and keeps the newest BACKUPS_KEPT. Pure, as the web servers' plan
 * (core/plan.ts), and made of the same kind of steps: every driver runs it as it runs theirs.
 */

/** What the database host installs: MariaDB (server and client, mariadb-dump), ufw for the firewall step. */
export const DATABASE_HOST_PACKAGES = ["mariadb-server", "ufw"];
/** Where the backups go on the database host, one gzipped SQL dump each. */
export const BACKUP_DIR = "/var/backups/hbnb-stack";
/** How many dumps the backup job keeps (a week of daily ones). */
export const BACKUPS_KEPT = 7;
/** The backup job's units, and the operator's commands (in /usr/local/sbin, on root's PATH). */
export const BACKUP_UNIT = "hbnb-stack-backup";
export const BACKUP_TOOL = "/usr/local/sbin/hbnb-stack-backup";
export const RESTORE_TOOL = "/usr/local/sbin/hbnb-stack-restore";
/** Where MariaDB's TLS files go: the stack's CA, the host's certificate and key. */
export const TLS_DIR = "/etc/mysql/hbnb-stack-tls";

export interface DatabaseHostPlan {
  /** The rendered MariaDB drop-in. */
  config: string;
  /** The web servers' addresses: the hosts of the app's MariaDB accounts and of the firewall's rules. */
  clients: string[];
  steps: Step[];
}

/** The database and user names of the app, and the password's token (as core/plan.ts's mariadb step). */
function accountValues(web: Plan, clients: string[]): Record<string, string> {
  const names: MariadbNames = { name: web.layout.user, user: web.layout.user };
  return {
    HBNB_DB_NAME: names.name,
    HBNB_DB_USER: names.user,
    HBNB_DB_CONFIG_PATH: MARIADB_CONFIG_PATH,
    // One account a web server, at its address (MariaDB matches the client's address: it
    // resolves no names, skip-name-resolve).
    HBNB_DB_HOSTS: clients.join(" "),
    HBNB_DB_TLS_DIR: TLS_DIR,
  };
}

/** The files of the backup job, rendered: units, the backup and the restore commands. */
export function backupFiles(files: ServerFiles, web: Plan): Record<string, string> {
  const values = {
    database: web.layout.user,
    service: web.layout.service,
    backupDir: BACKUP_DIR,
    kept: BACKUPS_KEPT,
    unit: BACKUP_UNIT,
    backupTool: BACKUP_TOOL,
    restoreTool: RESTORE_TOOL,
  };
  return {
    service: renderTemplate(files, "mariadb/backup.service.njk", values),
    timer: renderTemplate(files, "mariadb/backup.timer.njk", values),
    backup: renderTemplate(files, "mariadb/backup.sh.njk", values),
    restore: renderTemplate(files, "mariadb/restore.sh.njk", values),
  };
}

/** The plan of the database host, for the web servers at CLIENTS, which run WEB (the web servers' plan). */
export function buildDatabaseHostPlan(
  settings: Settings,
  web: Plan,
  clients: string[],
  files: ServerFiles,
): DatabaseHostPlan {
  if (clients.length === 0) throw new Error("a database host needs at least one web server to serve");
  const config = renderTemplate(files, "mariadb/database-host.cnf.njk", {
    service: web.layout.service,
    mariadbSocket: MARIADB_SOCKET,
    port: MARIADB_PORT,
    tlsDir: TLS_DIR,
  });
  const backup = backupFiles(files, web);
  const keep = String(settings.app.destroyKeepsData);
  const accounts = accountValues(web, clients);
  const backupValues = {
    HBNB_BACKUP_UNIT: BACKUP_UNIT,
    HBNB_BACKUP_DIR: BACKUP_DIR,
    HBNB_BACKUP_TOOL: BACKUP_TOOL,
    HBNB_RESTORE_TOOL: RESTORE_TOOL,
  };
  const firewall = { HBNB_SSH_PORT: settings.ssh.port, HBNB_HTTP: "no", HBNB_DATABASE_CLIENTS: clients.join(" ") };
  const steps: Step[] = [
    step(files, "wait", "wait for boot, cloud-init and apt", {}),
    step(files, "packages", "install MariaDB and ufw", { HBNB_PACKAGES: DATABASE_HOST_PACKAGES.join(" ") }),
    {
      ...step(
        files,
        "mariadb",
        `MariaDB on port ${MARIADB_PORT}; database ${accounts.HBNB_DB_NAME} and its user at ${clients.join(", ")}`,
        {
          ...accounts,
          HBNB_DB_PASSWORD: secretToken("databasePassword"),
          HBNB_DB_TLS_CA: secretToken("databaseCa"),
          HBNB_DB_TLS_CERT: secretToken("databaseCert"),
          HBNB_DB_TLS_KEY: secretToken("databaseKey"),
          HBNB_DB_CONFIG: config,
        },
        { secrets: ["databasePassword", ...DATABASE_TLS_SECRETS] },
      ),
      undo: undo(
        files,
        "mariadb",
        settings.app.destroyKeepsData
          ? "remove the app's MariaDB users and the stack's MariaDB settings; keep its database"
          : "remove the app's MariaDB database and users, and the stack's MariaDB settings",
        { ...accounts, HBNB_KEEP_DATA: keep },
      ),
    },
    {
      ...step(files, "backup", `a daily dump of the database into ${BACKUP_DIR}, the newest ${BACKUPS_KEPT} kept`, {
        ...backupValues,
        HBNB_BACKUP_SERVICE: backup.service,
        HBNB_BACKUP_TIMER: backup.timer,
        HBNB_BACKUP_SCRIPT: backup.backup,
        HBNB_RESTORE_SCRIPT: backup.restore,
      }),
      undo: undo(
        files,
        "backup",
        settings.app.destroyKeepsData
          ? "remove the backup job and commands; keep the backups"
          : "remove the backup job, its commands and the backups",
        { ...backupValues, HBNB_KEEP_DATA: keep },
      ),
    },
    {
      ...step(files, "firewall", `allow SSH, and MariaDB from ${clients.join(", ")} only, in ufw`, firewall),
      undo: undo(files, "firewall", "remove the ufw rules of the stack", firewall),
    },
  ];
  return { config, clients, steps };
}
