import * as crypto from "crypto";
import { Bundle } from "./bundle";
import { ServerFiles } from "./files";
import { HARDENING_PACKAGES } from "./hardening";
import { HttpsLayout, httpsLayout } from "./https";
import { Layout, layout, Tunables, tunables } from "./layout";
import {
  MARIADB_CONFIG_PATH,
  MARIADB_SOCKET,
  MariadbLogin,
  MariadbNames,
  mariadbNames,
  mariadbUrl,
  RemoteLogin,
  remoteUrl,
} from "./mariadb";
import { RDS_NAMES, RdsLogin, rdsUrl } from "./rds";
import { FileKind, fileRecords, RenderedFile, renderFiles, renderTemplate } from "./render";
import { Settings } from "./settings";

/**
 * The host plan: the ordered, named steps that turn a fresh Ubuntu or Debian server into one
 * that serves the app. Pure data from pure functions: no Pulumi resource and no I/O here, so the
 * Pulumi driver (index.ts) and the local driver (local/) run exactly the same commands.
 */

/** A file copied to the server before a step's command runs. */
export interface Upload {
  /** Path on this machine. */
  source: string;
  /** Absolute path on the server, writable by the SSH user. */
  destination: string;
  sha256: string;
}

export interface Step {
  name: string;
  /** One line for logs: what the step does. */
  summary: string;
  /** The exact command run over SSH. */
  command: string;
  /** What the command reads: the step's values, lib.sh and the step's script. */
  stdin: string;
  upload?: Upload;
  /**
   * The step's own inputs, as "NAME=value" (long values by hash). A step runs again exactly
   * when one of these changes: `pulumi preview` shows which steps a change re-runs.
   */
  triggers: string[];
  /**
   * Secrets the step depends on, by name. Their values never enter the plan: stdin carries
   * secretToken(name) where a value goes, and the driver puts the value in at run time, keeps
   * the step's stdin secret and its output out of the logs, and re-runs the step when a value
   * changes.
   */
  secrets: string[];
  /**
   * Facts of the host the step reads, by name (see hostFactToken): the driver fills them in,
   * in plain text, and runs the step again when one changes. None for most steps.
   */
  facts?: string[];
  /** What takes the step back out of a server the stack did not create (see Undo); none for a step that leaves nothing to take back. */
  undo?: Undo;
}

/**
 * What `pulumi destroy` runs on a server the stack did not create, to take one step back out:
 * files/scripts/undo-<step>.sh with its values. The command carries its script itself and reads
 * nothing from stdin: pulumi-command runs a `delete` with the stdin of the create it undoes
 * (provider/pkg/provider/remote/commandOutputs.go, `run`, from the resource's old state).
 */
export interface Undo {
  /** "undo-configs": its script is files/scripts/undo-configs.sh. */
  name: string;
  /** One line for logs: what the undo takes away. */
  summary: string;
  /** The exact command run over SSH. */
  command: string;
}

/** Where the value of the secret NAME goes in a step's stdin; see Step.secrets. */
export const secretToken = (name: string): string => `@@hbnb-secret:${name}@@`;

/**
 * Whether a secret value goes into the step's stdin: then its stdin is kept secret and its output
 * out of the logs. A step that only re-runs when a secret changes (the switch) stays visible.
 */
export const carriesSecrets = (step: Step): boolean =>
  step.secrets.some((name) => step.stdin.includes(secretToken(name)));

/**
 * The secrets the stack generates: Flask's SECRET_KEY, the token the API's writes need, and the
 * password of the app's MariaDB user (database mariadb or rds only: see secretNames).
 */
export const SECRETS = ["flaskSecretKey", "apiToken", "databasePassword"] as const;
/**
 * And one the stack does not generate: the RDS endpoint's host name (database rds), known only
 * once RDS made it. It reaches the app's environment the same way, filled in at run time.
 */
export type SecretName = (typeof SECRETS)[number] | "databaseHost" | DatabaseTlsSecret;
/**
 * With databaseHost, the TLS between the web servers and MariaDB: a CA the stack makes for this
 * one database host, and the host's certificate and key signed by it (index.ts: @pulumi/tls;
 * the local driver: openssl). The web servers get the CA's certificate only.
 */
export const DATABASE_TLS_SECRETS = ["databaseCa", "databaseCert", "databaseKey"] as const;
export type DatabaseTlsSecret = (typeof DATABASE_TLS_SECRETS)[number];

/** The secrets a stack with SETTINGS uses: the drivers make these, and no other. */
export function secretNames(settings: Settings): SecretName[] {
  const { database } = settings.app;
  const names: SecretName[] = SECRETS.filter((name) => name !== "databasePassword" || database !== "sqlite");
  if (settings.databaseHost !== undefined) return [...names, "databaseCa"];
  return database === "rds" ? [...names, "databaseHost"] : names;
}

/**
 * Facts of one host the plan cannot know (its data volume's id), by name: a step's stdin carries
 * hostFactToken(name) and the driver puts the host's value in (Step.facts).
 */
export const hostFactToken = (name: string): string => `@@hbnb-host:${name}@@`;

/**
 * The IPv4 range of every account's default VPC (AWS, "Default VPCs": 172.31.0.0/16), where the
 * stack's load balancer and servers are: Nginx trusts X-Forwarded-For from it alone.
 */
export const DEFAULT_VPC_CIDR = "172.31.0.0/16";

/**
 * The device of an EBS volume on a Nitro instance (every current type: t3, t4g, m5 on), by its
 * volume id. The kernel names NVMe disks in the order they appear (nvme1n1 may be another volume
 * after a reboot); EBS gives each one the volume id without its dash as its NVMe serial
 * number, and udev's persistent-storage rules link /dev/disk/by-id/nvme-<model>_<serial> to it,
 * the model's spaces as _ (AWS, "Amazon EBS and NVMe on Linux instances", docs.aws.amazon.com/
 * ebs/latest/userguide/identify-nvme-ebs-device.html; systemd, rules.d/60-persistent-storage.rules).
 */
export const ebsDevice = (volumeId: string): string =>
  `/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volumeId.replace("-", "")}`;

/**
 * Servers you already have behind loadBalancerHost: Nginx takes X-Forwarded-For from its address
 * alone. Given as a DNS name, none: set_real_ip_from takes addresses and CIDRs (nginx,
 * ngx_http_realip_module), and a name could resolve to another address later.
 */
function balancerCidr(host: string | undefined): string {
  if (host === undefined) return "";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return `${host}/32`;
  return host.includes(":") ? `${host}/128` : "";
}

export interface Plan {
  release: string;
  layout: Layout;
  tunables: Tunables;
  /**
   * Every rendered file the configs and harden steps install, and their text by name ("unit",
   * "site", "sshd", ...).
   */
  configFiles: RenderedFile[];
  configs: Record<string, string>;
  steps: Step[];
}

/**
 * The parts of a MySQL or MariaDB databaseUrl, for the variables a classic app reads
 * (HBNB_MYSQL_USER, _PWD, _HOST, _DB); undefined for any other URL.
 */
export function mysqlParts(url: string): { user: string; password: string; host: string; name: string } | undefined {
  if (!/^(mysql|mariadb)(\+\w+)?:\/\//.test(url)) return undefined;
  const parsed = new URL(url.replace(/^[^:]+:/, "http:"));
  return {
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    host: parsed.host,
    name: decodeURIComponent(parsed.pathname.replace(/^\//, "")),
  };
}

/** Distribution packages, by what needs them. */
export function packages(settings: Settings): string[] {
  const base = [
    ...["nginx", "gunicorn", "python3-flask", "python3-flask-cors", "python3-sqlalchemy", "curl", "ufw"],
    ...HARDENING_PACKAGES,
  ];
  // MariaDB on the server, or a MySQL or MariaDB elsewhere (RDS): the app's driver is MySQLdb.
  // (With databaseHost, MariaDB runs there: the web servers need the driver only.)
  const db =
    settings.app.database === "mariadb" && settings.databaseHost === undefined
      ? ["mariadb-server", "python3-mysqldb"]
      : settings.app.database !== "sqlite" || /^(mysql|mariadb)/.test(settings.app.databaseUrl)
        ? ["python3-mysqldb"]
        : [];
  // With a domain: the distribution's certbot, its renewal timer included.
  const https = settings.https ? ["certbot"] : [];
  return [...new Set([...base, ...db, ...https, ...settings.app.pythonPackages])];
}

// Every step runs as root through the SSH user's passwordless sudo, reading its script from
// stdin: nothing is left on the server but what the step installs.
const COMMAND = "sudo -n bash -s";

function sha(text: string | Buffer): string {
  return crypto.createHash("sha256").update(text).digest("hex").slice(0, 12);
}

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function b64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** What a step depends on besides the values its script reads. */
interface StepExtras {
  upload?: Upload;
  /** Inputs the script does not read but whose change must run it again, by hash. */
  inputs?: Record<string, string>;
  secrets?: string[];
  facts?: string[];
}

/** The script NAME with its values and lib.sh, as bash reads it: what a step or an undo runs. */
function scriptText(files: ServerFiles, name: string, values: Record<string, string | number>) {
  const script = files.scripts[name];
  if (script === undefined) throw new Error(`step script files/scripts/${name}.sh is missing`);
  const lib = files.scripts.lib;
  const entries = Object.entries({ HBNB_STEP: name, ...values }).map(([key, value]) => [key, String(value)] as const);
  const exports = entries.map(([key, value]) => `export ${key}=${quote(value)}`).join("\n");
  // A brace group is read whole before it runs, and runs with stdin closed: no command in
  // the script can swallow the rest of the script from stdin.
  return { text: `{\n${exports}\n${lib}\n${script}\n} </dev/null\n`, lib, script, entries };
}

/** One step: script NAME of files/scripts with VALUES (and lib.sh), and the triggers that re-run it. */
export function step(
  files: ServerFiles,
  name: string,
  summary: string,
  values: Record<string, string | number>,
  extras: StepExtras = {},
): Step {
  const { upload, inputs = {}, secrets = [], facts } = extras;
  const { text: stdin, lib, script, entries } = scriptText(files, name, values);
  const triggers = [
    `script=${sha(lib + script)}`,
    ...entries
      .filter(([key]) => key !== "HBNB_STEP")
      .map(([key, value]) =>
        value.length <= 64 && !value.includes("\n") ? `${key}=${value}` : `${key}=sha256:${sha(value)}`,
      ),
  ];
  for (const [key, value] of Object.entries(inputs)) triggers.push(`${key}=sha256:${sha(value)}`);
  if (upload) triggers.push(`upload=${upload.sha256.slice(0, 12)}`);
  return { name, summary, command: COMMAND, stdin, upload, triggers, secrets, ...(facts && { facts }) };
}

/**
 * The undo of step STEP: files/scripts/undo-STEP.sh with VALUES, in a command that carries the
 * script in base64 (plain letters, digits, + / =: nothing the remote shell interprets) and
 * pipes it to root's bash. The script is decoded on the server and never read from stdin. sshd
 * hands the command to the user's shell as one argument: Linux takes at most 128 KiB there
 * (MAX_ARG_STRLEN).
 */
export function undo(
  files: ServerFiles,
  stepName: string,
  summary: string,
  values: Record<string, string | number>,
): Undo {
  const name = `undo-${stepName}`;
  const { text } = scriptText(files, name, values);
  return { name, summary, command: `printf %s ${b64(text)} | base64 -d | ${COMMAND}` };
}

/**
 * The services as the switch step reads them: one a line, unit|socket|workers|Gunicorn config
 * (files/scripts/lib.sh, read_units).
 */
export function unitRecords(l: Layout): string {
  return l.services.map((s) => [s.unit, s.socket, s.workers, s.configFile].join("|")).join("\n");
}

/** The services' units by name, one a line: what stops, disables or keeps them needs no more. */
function unitNames(l: Layout): string {
  return l.services.map((s) => s.unit).join("\n");
}

/**
 * What the switch asks Nginx for at the end, proof that Nginx reaches the app: the API's status
 * for the bundled app, the first route of a user's app.
 */
export function checkPath(l: Layout): string {
  return l.layout === "bundled" ? "/api/v1/status" : l.services[0].routes[0].path;
}

/**
 * Behind AWS's load balancer: the path its target group asks Nginx for (files/nginx/
 * guards.conf.njk): 503 while DRAIN_MARKER exists, else the answer of checkPath.
 */
export const BALANCER_CHECK_PATH = "/-/balancer";
/** The file the drain step makes and the ready step removes; under /run, so a reboot removes it too. */
export const DRAIN_MARKER = "/run/hbnb-stack/drained";

/** The app's user and directories: what the users step makes and its undo takes back. */
function usersValues(l: Layout): Record<string, string> {
  return {
    HBNB_APP_USER: l.user,
    HBNB_APP_DIR: l.appDir,
    HBNB_DATA_DIR: l.dataDir,
    HBNB_LOG_DIR: l.logDir,
    HBNB_CONFIG_DIR: l.configDir,
  };
}

/** The app's database and user in MariaDB, and the stack's drop-in: what the mariadb step makes and its undo takes back. */
function mariadbValues({ name, user }: MariadbNames): Record<string, string> {
  return { HBNB_DB_NAME: name, HBNB_DB_USER: user, HBNB_DB_CONFIG_PATH: MARIADB_CONFIG_PATH };
}

/** Where the certificate step puts things, which its undo takes back. */
function certificateValues(https: HttpsLayout): Record<string, string> {
  return { HBNB_CERT_NAME: https.certName, HBNB_ACME_WEBROOT: https.webroot, HBNB_TLS_LIVE_DIR: https.liveDir };
}

/** Where a web server keeps the database host's CA certificate (setting databaseHost). */
export const databaseCaFile = (l: Layout): string => `${l.configDir}/database-ca.pem`;

/** The undos of a plan in the order they run: the reverse of the plan's (the last step's first). */
export function undoSteps(plan: Pick<Plan, "steps">): Undo[] {
  return plan.steps
    .map((s) => s.undo)
    .filter((u): u is Undo => u !== undefined)
    .reverse();
}

/** What the plan knows of its hosts beyond the settings. */
export interface HostKind {
  /**
   * Each host keeps dataDir on a disk of its own, its device the host's fact dataDevice: always
   * on AWS (its EBS volume); a local server booted with a data disk (local/host.sh --data-disk).
   */
  dataVolume?: boolean;
}

export function buildPlan(settings: Settings, bundle: Bundle, files: ServerFiles, hosts: HostKind = {}): Plan {
  const l = layout(settings.app, bundle.files);
  const t = tunables(settings.app);
  const https = httpsLayout(l.service, settings.https);
  const configFiles = renderFiles(files, {
    ...l,
    ...t,
    sshUser: settings.ssh.user,
    sshPort: settings.ssh.port,
    mariadbSocket: MARIADB_SOCKET,
    localMariadb: settings.app.database === "mariadb" && settings.databaseHost === undefined,
    units: unitRecords(l),
    checkPath: checkPath(l),
    loadBalancerCidr: settings.aws?.loadBalancer ? DEFAULT_VPC_CIDR : balancerCidr(settings.loadBalancerHost),
    drainMarker: settings.aws?.loadBalancer ? DRAIN_MARKER : "",
    balancerCheckPath: BALANCER_CHECK_PATH,
    https: https ?? false,
  });
  const configs = Object.fromEntries(configFiles.map((f) => [f.name, f.text]));
  const ofKind = (...kinds: FileKind[]): string =>
    configFiles
      .filter((f) => kinds.includes(f.kind))
      .map((f) => f.text)
      .join("\n");
  const secrets = secretNames(settings);
  // The app's MariaDB login, its password as the token the drivers fill in (database mariadb).
  const login: MariadbLogin | undefined =
    settings.app.database === "mariadb" && settings.databaseHost === undefined
      ? { ...mariadbNames(l), password: secretToken("databasePassword") }
      : undefined;
  // The same on the database host (setting databaseHost), over TCP.
  const remote: RemoteLogin | undefined =
    settings.app.database === "mariadb" && settings.databaseHost !== undefined
      ? {
          ...mariadbNames(l),
          password: secretToken("databasePassword"),
          host: settings.databaseHost,
          caFile: databaseCaFile(l),
        }
      : undefined;
  // The shared database of database rds: its endpoint and password as the drivers' tokens.
  const rds: RdsLogin | undefined =
    settings.app.database === "rds"
      ? { ...RDS_NAMES, host: secretToken("databaseHost"), password: secretToken("databasePassword") }
      : undefined;
  // The app's environment carries secrets: it goes to the server in the secrets step only.
  const env = renderTemplate(files, "systemd/app.env.njk", {
    ...l,
    ...t,
    secretKey: secretToken("flaskSecretKey"),
    apiToken: secretToken("apiToken"),
    mariadb: login && { ...login, url: mariadbUrl(login) },
    databaseHost: remote && { ...remote, url: remoteUrl(remote) },
    rds: rds && { ...rds, url: rdsUrl(rds) },
    mysql: mysqlParts(settings.app.databaseUrl),
  });
  // A pinned release is one already on the servers: nothing to upload (a rollback in the stack).
  const release = settings.app.release || bundle.release;
  const archive = settings.app.release ? "" : `/tmp/hbnb-stack-${bundle.release}.tar.gz`;
  const steps: Step[] = [
    step(files, "wait", "wait for boot, cloud-init and apt", {}),
    // On AWS, dataDir is the server's own EBS volume (components/aws-data-volume.ts): mounted
    // before anything is written there. A step, not cloud-init's mounts: the volume is attached
    // once the instance exists, maybe after cloud-init looked, and cc_mounts (once per instance)
    // skips a device that is not there yet for good: sanitize_devname finds no block device,
    // "Ignoring nonexistent named mount" (canonical/cloud-init, cloudinit/config/cc_mounts.py).
    // The step waits for it, bounded, and runs again on every replaced instance.
    ...(settings.target === "aws" || hosts.dataVolume
      ? [
          step(
            files,
            "volume",
            `mount the data volume at ${l.dataDir}`,
            {
              HBNB_DATA_DEVICE: hostFactToken("dataDevice"),
              HBNB_DATA_DIR: l.dataDir,
              HBNB_DEVICE_WAIT: 300,
              // Stopped while data already in dataDir (a stack from before the volume) moves onto it.
              HBNB_UNITS: unitNames(l),
            },
            { facts: ["dataDevice"] },
          ),
        ]
      : []),
    step(files, "packages", "install Nginx, Gunicorn and the app's Python packages", {
      HBNB_PACKAGES: packages(settings).join(" "),
    }),
    step(files, "users", "create the app user, group and directories", {
      ...usersValues(l),
      HBNB_STATIC_DIRS: l.staticDirs.join(" "),
    }),
    ...(login
      ? [
          step(
            files,
            "mariadb",
            `MariaDB on its unix socket only; database ${login.name} and its user`,
            {
              ...mariadbValues(login),
              HBNB_DB_PASSWORD: login.password,
              HBNB_DB_CONFIG: renderTemplate(files, "mariadb/server.cnf.njk", { ...l, mariadbSocket: MARIADB_SOCKET }),
            },
            { secrets: ["databasePassword"] },
          ),
        ]
      : []),
    step(
      files,
      "release",
      `unpack release ${release}`,
      {
        HBNB_RELEASE: release,
        HBNB_ARCHIVE: archive,
        HBNB_ARCHIVE_SHA256: archive && bundle.sha256,
        HBNB_APP_DIR: l.appDir,
        HBNB_APP_USER: l.user,
        HBNB_STATIC_DIRS: l.staticDirs.join(" "),
        HBNB_DATA_DIR: l.dataDir,
        HBNB_DATA_LINKS: l.dataLinks.join(" "),
        // A user's app: the modules its services load, whose imports the step checks.
        HBNB_APP_MODULES: l.layout === "bundled" ? "" : l.services.map((s) => s.app.split(":")[0]).join(" "),
      },
      archive ? { upload: { source: bundle.archive, destination: archive, sha256: bundle.sha256 } } : {},
    ),
    step(files, "configs", "install the Gunicorn, systemd and Nginx configs", {
      HBNB_PENDING_FILE: l.pendingFile,
      HBNB_SITE_PATH: l.sitePath,
      HBNB_CONFIG_FILES: fileRecords(configFiles, "configs"),
    }),
    step(
      files,
      "secrets",
      "write the app's environment and secrets, readable by its group only",
      {
        HBNB_APP_USER: l.user,
        HBNB_PENDING_FILE: l.pendingFile,
        HBNB_ENV_PATH: l.envFile,
        HBNB_ENV_FILE: env,
        // The database host's CA, which the app checks MariaDB's certificate against.
        ...(remote && { HBNB_DB_CA_PATH: remote.caFile, HBNB_DB_CA: secretToken("databaseCa") }),
      },
      { secrets },
    ),
    // The bundled app's schema and demo data; a user's app makes its own tables (a classic
    // app's models do, at import).
    ...(l.layout !== "bundled"
      ? []
      : [
          step(
            files,
            "database",
            settings.app.demoData ? "create the schema; the demo data into a new database" : "create the schema",
            {
              HBNB_RELEASE: release,
              HBNB_APP_DIR: l.appDir,
              HBNB_APP_USER: l.user,
              HBNB_ENV_PATH: l.envFile,
              HBNB_DEMO_DATA: String(settings.app.demoData),
            },
            // The schema and data go to whatever database the environment names.
            { inputs: { env } },
          ),
        ]),
    step(
      files,
      "switch",
      `make release ${release} live`,
      {
        HBNB_SERVICE: l.service,
        HBNB_RELEASE: release,
        HBNB_APP_USER: l.user,
        HBNB_APP_DIR: l.appDir,
        HBNB_UNITS: unitRecords(l),
        HBNB_STATE_DIR: l.stateDir,
        HBNB_PENDING_FILE: l.pendingFile,
        HBNB_ENV_PATH: l.envFile,
        HBNB_CHECK_PATH: checkPath(l),
      },
      // The switch applies a new Gunicorn config or environment (reload or restart) even when
      // the release is the same; a new secret changes the environment too.
      { inputs: { configs: ofKind("unit", "socket", "gunicorn"), env }, secrets },
    ),
    // After the switch: the site serves plain HTTP whatever the ACME server says, and a
    // certificate refused stops the deploy here, naming the names and the ACME server's error.
    ...(https && settings.https
      ? [
          step(files, "certificate", `a certificate for ${https.domains.join(", ")}; then HTTPS`, {
            ...certificateValues(https),
            HBNB_ACME_EMAIL: settings.https.email,
            HBNB_ACME_SERVER: settings.https.server,
            HBNB_ACME_CA_BUNDLE: settings.https.caBundle,
            HBNB_DOMAINS: https.domains.join(" "),
            HBNB_TLS_SNIPPET: configFiles.find((f) => f.name === "tls")!.path,
          }),
        ]
      : []),
    step(files, "harden", "harden SSH and the kernel; fail2ban, security updates, log rotation", {
      // The user the deploy logs in as: the new SSH settings must still let it in with its key.
      HBNB_SSH_USER: settings.ssh.user,
      // Nginx's user leaves the app's group, where stacks before the socket unit put it.
      HBNB_APP_USER: l.user,
      HBNB_WEB_USER: l.webUser,
      HBNB_HARDENING_FILES: fileRecords(configFiles, "harden"),
    }),
    step(files, "firewall", "allow SSH, HTTP and HTTPS in ufw", { HBNB_SSH_PORT: settings.ssh.port }),
    step(
      files,
      "prune",
      `keep the newest ${t.keepReleases} releases`,
      {
        HBNB_SERVICE: l.service,
        HBNB_APP_DIR: l.appDir,
        HBNB_STATE_DIR: l.stateDir,
        HBNB_KEEP_RELEASES: t.keepReleases,
        // The services the release runs, by name: the stack's others are stopped and removed.
        HBNB_UNITS: unitNames(l),
      },
      // Each new release may push an old one out.
      { inputs: { release } },
    ),
  ];
  return {
    release,
    layout: l,
    tunables: t,
    configFiles,
    configs,
    steps: withUndos(steps, undos(settings, files, l, configFiles, https)),
  };
}

/**
 * The undo of each step that changes the server (wait, packages, database and prune have none:
 * the packages stay installed, the database is the kept data, and prune only removes).
 */
function undos(
  settings: Settings,
  files: ServerFiles,
  l: Layout,
  configFiles: RenderedFile[],
  https: HttpsLayout | undefined,
): Record<string, Undo> {
  const keep = settings.app.destroyKeepsData;
  return {
    ...(https && {
      certificate: undo(
        files,
        "certificate",
        "HTTPS off; the certificate and its renewal deleted",
        certificateValues(https),
      ),
    }),
    users: undo(
      files,
      "users",
      keep
        ? "remove the app's emptied directories; keep its data, logs, user and group"
        : "remove the app's directories, data, logs, user and group",
      {
        HBNB_SERVICE: l.service,
        ...usersValues(l),
        // Nginx's user, which stacks before the socket unit put in the app's group.
        HBNB_WEB_USER: l.webUser,
        HBNB_STATE_DIR: l.stateDir,
        HBNB_KEEP_DATA: String(keep),
      },
    ),
    release: undo(files, "release", "remove the app's releases", { HBNB_APP_DIR: l.appDir }),
    mariadb: undo(
      files,
      "mariadb",
      keep
        ? "remove the app's MariaDB user and the stack's MariaDB settings; keep its database"
        : "remove the app's MariaDB database and user, and the stack's MariaDB settings",
      { ...mariadbValues(mariadbNames(l)), HBNB_KEEP_DATA: String(keep) },
    ),
    configs: undo(files, "configs", "remove the app's configs and commands; Nginx's default site back", {
      HBNB_SITE_PATH: l.sitePath,
      // The configs step's own list, without the files' text: the undo removes each of them.
      HBNB_CONFIG_FILES: fileRecords(configFiles, "configs", () => false),
      HBNB_CACHE_DIR: l.cacheDir,
      HBNB_TOOLS_DIR: l.toolsDir,
    }),
    secrets: undo(files, "secrets", "remove the app's environment and secrets", {
      HBNB_ENV_PATH: l.envFile,
      ...(settings.databaseHost !== undefined && { HBNB_DB_CA_PATH: databaseCaFile(l) }),
    }),
    switch: undo(files, "switch", "stop and disable the app's services", {
      HBNB_SERVICE: l.service,
      // The units' names alone: the undo stops and disables them, whatever their settings.
      HBNB_UNITS: unitNames(l),
      HBNB_APP_DIR: l.appDir,
      HBNB_STATE_DIR: l.stateDir,
      HBNB_PENDING_FILE: l.pendingFile,
    }),
    harden: undo(files, "harden", "remove the hardening; ssh, fail2ban and the kernel back to the distribution's", {
      // The harden step's own list: the undo removes each file, or puts back each key it set
      // (so only the keys' files carry their text).
      HBNB_HARDENING_FILES: fileRecords(configFiles, "harden", (f) => f.kind.endsWith("keys")),
    }),
    firewall: undo(files, "firewall", "remove the ufw rules of the stack", { HBNB_SSH_PORT: settings.ssh.port }),
  };
}

function withUndos(steps: Step[], byStep: Record<string, Undo>): Step[] {
  return steps.map((s) => (byStep[s.name] ? { ...s, undo: byStep[s.name] } : s));
}
