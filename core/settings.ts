import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { AppSource, readAppSource } from "./app-source";

/**
 * The stack's settings: every value that shapes the servers, typed and validated in one place.
 * Defaults live in Pulumi.yaml's config schema; this file reads that schema, so the CLI, the
 * mocks in unit tests and the local driver all apply the same defaults.
 */

export const PROJECT = "hbnb-stack";
export const UBUNTU_RELEASES = ["22.04", "24.04"] as const;
export type UbuntuRelease = (typeof UBUNTU_RELEASES)[number];
export const TARGETS = ["aws", "existing"] as const;
export type Target = (typeof TARGETS)[number];
export const WRITE_ACCESS = ["token", "open"] as const;
export type WriteAccess = (typeof WRITE_ACCESS)[number];
export const LAYOUTS = ["bundled", "classic", "custom"] as const;
export type AppLayout = (typeof LAYOUTS)[number];

/** Requests whose path starts with `path` (or is `path`, when exact) go to a service as `to`. */
export interface Route {
  path: string;
  /** The path prefix the app sees instead of `path`. */
  to: string;
  exact: boolean;
}

/** A directory of the release that Nginx serves itself at `path`. */
export interface StaticDir {
  path: string;
  dir: string;
}

/** One WSGI app of a user's release, as the stack's `services` list gives it. */
export interface ServiceSettings {
  name: string;
  /** `module:callable`, as Gunicorn takes it. */
  app: string;
  routes: Route[];
  workers: number;
  environment: Record<string, string>;
  static: StaticDir[];
}
/**
 * sqlite: SQLite in dataDir, or the database at databaseUrl; mariadb: MariaDB on each server;
 * rds: one MariaDB on Amazon RDS that every server shares (target aws).
 */
export const DATABASES = ["sqlite", "mariadb", "rds"] as const;
export type Database = (typeof DATABASES)[number];

/** An Auto Scaling Group instead of the servers the plan reaches over SSH (components/aws-autoscaling.ts). */
export interface Autoscaling {
  min: number;
  max: number;
  /** The group's average CPU utilization, in percent, that target tracking keeps. */
  cpuTarget: number;
}

export interface AwsSettings {
  ubuntuRelease: UbuntuRelease;
  instanceType: string;
  instanceCount: number;
  /** Set: the servers are an Auto Scaling Group whose instances run the plan at boot, no SSH. */
  autoscaling?: Autoscaling;
  rootVolumeSize: number;
  adminCidrs: string[];
  publicKey: string;
  /**
   * Whether the servers sit behind an Application Load Balancer: the setting loadBalancer, or
   * more than one server.
   */
  loadBalancer: boolean;
  /** Size in GiB of each server's data volume (encrypted gp3, mounted at dataDir). */
  dataVolumeSize: number;
  /** Whether `pulumi destroy` leaves a final snapshot of each data volume (and of the RDS database). */
  finalSnapshot: boolean;
  /** database rds: whether RDS refuses to delete the database (off for a `pulumi destroy`). */
  databaseDeletionProtection: boolean;
  /** database rds: the RDS instance class. */
  databaseInstanceClass: string;
  /** The site's names (setting domain): behind the load balancer, its ACM certificate's names; the first is the url. */
  domains: string[];
  /** The Route 53 hosted zone of the domains, by id (Z0123...) or name; empty: none (HTTP only at the load balancer). */
  hostedZone: string;
}

export interface SshSettings {
  user: string;
  port: number;
  /** PEM/OpenSSH private key. A secret: drivers must never print it. */
  privateKey: string;
}

/** What lands on each server. Every server-side name and path comes from here. */
export interface AppSettings {
  /** User, group and systemd service name. */
  user: string;
  dir: string;
  dataDir: string;
  logDir: string;
  /** Empty: SQLite in dataDir (or MariaDB on the server, with database mariadb). */
  databaseUrl: string;
  /** mariadb: MariaDB on each server, with a database and a user of the app's name. */
  database: Database;
  serverName: string;
  workers: number;
  keepReleases: number;
  /** Requests a second per client address on /api/ (Nginx answers 429 beyond); 0: no limit. */
  apiRateLimit: number;
  /** token: the API's writes (and its users) need the stack's API token; open: anyone writes. */
  apiWriteAccess: WriteAccess;
  /** A release id already on the servers to serve instead of the bundled app; empty: the app. */
  release: string;
  /** Whether `pulumi destroy` on servers you already have keeps the app's data and logs. */
  destroyKeepsData: boolean;
  /** Whether the first deploy to a new, empty database loads the demo data. */
  demoData: boolean;
  /** bundled: the app of files/app; classic: the exercise's four apps; custom: `services`. */
  layout: AppLayout;
  /** The services of layout custom. */
  services: ServiceSettings[];
  /** Environment of every service of a user's app. */
  environment: Record<string, string>;
  /** Distribution packages a user's app needs. */
  pythonPackages: string[];
  /** Whether Nginx rewrites a classic page's hard-coded API and CDN URLs to same-origin ones. */
  rewriteClassicUrls: boolean;
  /** Where the app of the release comes from (appSource, appRef, appSourceKey). */
  source: AppSource;
}

export interface Settings {
  target: Target;
  /** Present when target is aws. */
  aws?: AwsSettings;
  /** Addresses of existing servers; present when target is existing. */
  hosts?: string[];
  /**
   * target existing: the server that runs HAProxy in front of the web servers (core/balancer.ts).
   * One of hosts (then it runs HAProxy only) or a server of its own; absent: no load balancer.
   */
  loadBalancerHost?: string;
  /**
   * target existing: the server that runs MariaDB for every web server (core/database-host.ts).
   * One of hosts (then it runs MariaDB only) or a server of its own; absent: none.
   */
  databaseHost?: string;
  ssh: SshSettings;
  app: AppSettings;
  /** domain set (and the servers not behind a load balancer): certificates from ACME, HTTPS. */
  https?: HttpsSettings;
}

/** Let's Encrypt's production ACME directory, acmeServer's default. */
export const LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";

/** HTTPS on each server: its names, and the ACME server that certifies them (core/https.ts). */
export interface HttpsSettings {
  /** The certificate's names, the first its subject; each must resolve to the server. */
  domains: string[];
  /** The ACME account's contact. */
  email: string;
  /** The ACME directory URL. */
  server: string;
  /** PEM certificates certbot trusts for the ACME server's own HTTPS; empty: the system's. */
  caBundle: string;
}

/** Raw stack config as Pulumi hands it to a program: key (without project prefix) → string. */
export type RawConfig = Record<string, string | undefined>;

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `invalid stack config (${problems.length} problem${problems.length > 1 ? "s" : ""}):\n  - ${problems.join("\n  - ")}`,
    );
    this.name = "SettingsError";
  }
}

interface SchemaEntry {
  type: "string" | "integer" | "boolean" | "array" | "object";
  default?: unknown;
  secret?: boolean;
}

const projectDir = path.join(__dirname, "..");
const schemaFile = path.join(projectDir, "Pulumi.yaml");

/** The config schema of Pulumi.yaml, keyed without the project prefix. */
export function configSchema(file = schemaFile): Record<string, SchemaEntry> {
  const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config: Record<string, SchemaEntry> };
  return Object.fromEntries(Object.entries(doc.config).map(([key, entry]) => [key.replace(`${PROJECT}:`, ""), entry]));
}

/**
 * A key's default in the text the Pulumi CLI writes into the program's config for a key the stack
 * does not set: text as is, numbers and booleans as text, lists as JSON (local/pulumi-cli-config.ts
 * restates the CLI's rules, from its source).
 */
function defaultText(entry: SchemaEntry): string | undefined {
  if (entry.default === undefined) return undefined;
  return typeof entry.default === "string" ? entry.default : JSON.stringify(entry.default);
}

/** Schema defaults under the given values, as the CLI merges them (the local driver and tests). */
export function withDefaults(raw: RawConfig, schema = configSchema()): RawConfig {
  const merged: RawConfig = {};
  for (const [key, entry] of Object.entries(schema)) {
    const text = defaultText(entry);
    if (text !== undefined) merged[key] = text;
  }
  return { ...merged, ...raw };
}

/**
 * Whether a key holds its default. The CLI sends the default of every key the stack does not set,
 * so a key of the other target is wrong only when it holds something else: a value equal to the
 * default is the same as no value at all.
 */
function holdsDefault(value: string | undefined, entry: SchemaEntry): boolean {
  if (value === undefined) return true;
  if (entry.default === undefined) return false;
  if (entry.type === "array" || entry.type === "object") {
    try {
      return JSON.stringify(JSON.parse(value)) === JSON.stringify(entry.default);
    } catch {
      return false;
    }
  }
  if (entry.type === "integer") return /^\s*-?\d+\s*$/.test(value) && Number(value) === entry.default;
  return value === defaultText(entry);
}

// Keys that shape the EC2 instances only; and the one key only servers of your own use.
export const AWS_ONLY = [
  "ubuntuRelease",
  "instanceType",
  "instanceCount",
  "rootVolumeSize",
  "adminCidrs",
  "publicKey",
  "loadBalancer",
  "dataVolumeSize",
  "finalSnapshot",
  "databaseDeletionProtection",
  "databaseInstanceClass",
  "autoscaling",
  "hostedZone",
];
const EXISTING_ONLY = ["hosts", "loadBalancerHost", "databaseHost"];

/** A value of the other target's key, shown in a message: a public key cut short, lists as lists. */
function shown(key: string, value: string): unknown {
  if (key === "publicKey") return value.length > 40 ? `${value.slice(0, 40)}...` : value;
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // Not JSON: shown as the text it is.
  }
  return value;
}

/** Parses and validates raw config; throws one SettingsError that lists every problem. */
export function parseSettings(raw: RawConfig, schema = configSchema()): Settings {
  const problems: string[] = [];
  const unknown = Object.keys(raw).filter((key) => !(key in schema));
  for (const key of unknown) {
    problems.push(
      `${PROJECT}:${key} is not a setting of this stack; known settings: ${Object.keys(schema).join(", ")}`,
    );
  }
  const r = new Reader(withDefaults(raw, schema), problems);

  const target = r.oneOf("target", TARGETS);
  const ssh: SshSettings = {
    user: r.name("sshUser"),
    port: r.integer("sshPort", 1, 65535),
    privateKey: r.privateKey("privateKey"),
  };
  const app: AppSettings = {
    user: r.name("appUser"),
    dir: r.absolutePath("appDir"),
    dataDir: r.absolutePath("dataDir"),
    logDir: r.absolutePath("logDir"),
    databaseUrl: r.databaseUrl("databaseUrl"),
    database: r.oneOf("database", DATABASES),
    serverName: r.serverName("serverName"),
    workers: r.integer("workers", 1, 64),
    keepReleases: r.integer("keepReleases", 2, 50),
    apiRateLimit: r.integer("apiRateLimit", 0, 100000),
    apiWriteAccess: r.oneOf("apiWriteAccess", WRITE_ACCESS),
    release: r.release("release"),
    destroyKeepsData: r.boolean(
      "destroyKeepsData",
      "true keeps the app's data and logs at `pulumi destroy`, false removes them",
    ),
    demoData: r.boolean("demoData", "true loads the demo data into a new, empty database, false never does"),
    layout: r.oneOf("layout", LAYOUTS),
    services: [],
    environment: r.environment("appEnvironment"),
    pythonPackages: r.packages("pythonPackages"),
    rewriteClassicUrls: r.boolean(
      "rewriteClassicUrls",
      "true makes Nginx rewrite a classic page's http://0.0.0.0:5001/api/v1/ and CDN jQuery URLs to same-origin ones",
    ),
    source: r.appSource(),
  };
  app.services = r.services("services", app.layout, app.workers);
  const settings: Settings = { target, ssh, app };

  const foreign = (keys: string[], other: Target, fix: (key: string) => string) => {
    for (const key of keys.filter((k) => !holdsDefault(raw[k], schema[k]))) {
      problems.push(
        `${PROJECT}:${key} = ${JSON.stringify(shown(key, raw[key]!))}: only applies to target ${other}, but target is ${target}; ${fix(key)}`,
      );
    }
  };
  if (target === "aws") {
    foreign(
      EXISTING_ONLY,
      "existing",
      (key) => `remove it (pulumi config rm ${key}), or set target to existing to use those servers`,
    );
    const instanceCount = r.integer("instanceCount", 1, 10);
    const autoscaling = r.autoscaling("autoscaling");
    settings.aws = {
      ubuntuRelease: r.oneOf("ubuntuRelease", UBUNTU_RELEASES),
      instanceType: r.instanceType("instanceType"),
      instanceCount,
      rootVolumeSize: r.integer("rootVolumeSize", 8, 1024),
      adminCidrs: r.cidrs("adminCidrs"),
      publicKey: r.publicKey("publicKey"),
      // An Auto Scaling Group is always behind it: its instances come and go, with addresses of
      // their own; the load balancer's is the one that stays.
      loadBalancer:
        r.boolean("loadBalancer", "true puts even one server behind an Application Load Balancer") ||
        instanceCount > 1 ||
        autoscaling !== undefined,
      dataVolumeSize: r.integer("dataVolumeSize", 1, 16384),
      finalSnapshot: r.boolean(
        "finalSnapshot",
        "true leaves a final snapshot of each data volume and of the RDS database at `pulumi destroy`, false leaves none",
      ),
      databaseDeletionProtection: r.boolean(
        "databaseDeletionProtection",
        "true makes RDS refuse to delete the database; set false, pulumi up, then pulumi destroy",
      ),
      databaseInstanceClass: r.databaseInstanceClass("databaseInstanceClass"),
      autoscaling,
      domains: r.domains("domain"),
      hostedZone: r.hostedZone("hostedZone"),
    };
    balancerCertificate(settings.aws, problems);
    if (settings.aws.autoscaling && !holdsDefault(raw.instanceCount, schema.instanceCount)) {
      problems.push(
        `${PROJECT}:instanceCount = ${JSON.stringify(raw.instanceCount)} and ${PROJECT}:autoscaling is set: the group's min and max decide how many servers run; remove instanceCount (pulumi config rm instanceCount), or remove autoscaling (pulumi config rm autoscaling)`,
      );
    }
  } else if (target === "existing") {
    foreign(AWS_ONLY, "aws", (key) => `remove it (pulumi config rm ${key}), or set target to aws`);
    settings.hosts = r.hosts("hosts");
    const balancer = r.loadBalancerHost("loadBalancerHost", settings.hosts);
    if (balancer !== "") settings.loadBalancerHost = balancer;
    const database = r.databaseHost("databaseHost", settings.hosts, balancer);
    if (database !== "") settings.databaseHost = database;
    // The database host runs MariaDB: the web servers' database, unless another one is named.
    if (database !== "" && app.databaseUrl !== "") {
      // The URL holds a password: the message names the key only.
      problems.push(
        `${PROJECT}:databaseHost = ${JSON.stringify(database)} and ${PROJECT}:databaseUrl is set: the app uses one database, MariaDB on the database host or the one at databaseUrl; remove databaseUrl (pulumi config rm databaseUrl) to use the database host, or remove databaseHost (pulumi config rm databaseHost)`,
      );
    } else if (database !== "" && app.database === "sqlite") app.database = "mariadb";
    if (app.database === "rds")
      problems.push(
        `${PROJECT}:database = "rds": RDS is made by the stack on AWS, but target is existing; set database to mariadb (MariaDB on each server), or to sqlite with databaseUrl naming your database server`,
      );
  }
  assertDistinctPaths(app, problems);
  // A user's app that keeps its data in MySQL (a classic app's HBNB_TYPE_STORAGE=db) and names no
  // database of its own gets MariaDB on the server.
  if (
    app.layout !== "bundled" &&
    app.environment.HBNB_TYPE_STORAGE === "db" &&
    app.databaseUrl === "" &&
    app.database === "sqlite"
  ) {
    app.database = "mariadb";
  }
  if (app.database === "mariadb" && app.databaseUrl !== "") {
    // The URL holds a password: the message names the key only.
    problems.push(
      `${PROJECT}:database = "mariadb" and ${PROJECT}:databaseUrl is set: the app uses one database, MariaDB on each server or the one at databaseUrl; remove databaseUrl (pulumi config rm databaseUrl) to use MariaDB on the servers, or remove database (pulumi config rm database) to keep the database at databaseUrl`,
    );
  }

  if (app.database === "rds" && app.databaseUrl !== "") {
    problems.push(
      `${PROJECT}:database = "rds" and ${PROJECT}:databaseUrl is set: the app uses one database, the stack's RDS or the one at databaseUrl; remove databaseUrl (pulumi config rm databaseUrl) to use RDS, or remove database (pulumi config rm database) to keep the database at databaseUrl`,
    );
  }
  // SQLite or MariaDB on each server: each server its own data, and what a user sees would
  // depend on the server the load balancer picked. With autoscaling, the group may grow to max.
  // On servers you already have, the same holds for the web servers behind loadBalancerHost.
  const scaling = settings.aws?.autoscaling;
  const [key, count] = scaling
    ? ["autoscaling.max", scaling.max]
    : settings.loadBalancerHost !== undefined
      ? ["hosts", webHosts(settings).length]
      : ["instanceCount", settings.aws?.instanceCount ?? 1];
  const perServer =
    (app.database === "mariadb" && settings.databaseHost === undefined) ||
    (app.database === "sqlite" && !/^(mysql|mariadb)/.test(app.databaseUrl));
  if (Number.isInteger(count) && count > 1 && perServer) {
    problems.push(
      key === "hosts"
        ? `${PROJECT}:hosts = ${count} web servers behind ${PROJECT}:loadBalancerHost with database ${JSON.stringify(app.database)}${app.database === "sqlite" ? " (a SQLite file on each server)" : " (MariaDB on each server)"}: each server would keep data of its own; set databaseHost to a server that runs MariaDB for them all (pulumi config set databaseHost 192.0.2.30), or databaseUrl to one MySQL or MariaDB database they share (pulumi config set --secret databaseUrl mysql+mysqldb://user:pass@host/db), or list one web server`
        : `${PROJECT}:${key} = ${count} with database ${JSON.stringify(app.database)}${app.database === "sqlite" ? " (a SQLite file on each server)" : " (MariaDB on each server)"}: each server would keep data of its own; set database to rds for one database all servers share (pulumi config set database rds), or set ${key} to 1`,
    );
  }

  const https = r.https(settings);
  if (https) settings.https = https;

  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}

/**
 * The servers that run the app: hosts, without loadBalancerHost when it is one of them (it then
 * runs HAProxy only: both would listen on port 80).
 */
export function webHosts(settings: Settings): string[] {
  return (settings.hosts ?? []).filter((host) => host !== settings.loadBalancerHost && host !== settings.databaseHost);
}

/**
 * The load balancer's HTTPS (components/aws-load-balancer.ts): an ACM certificate for the domains,
 * validated by DNS records the stack writes in the hosted zone. hostedZone serves that alone, so
 * it needs both a domain and the load balancer; a domain behind the load balancer needs the zone.
 */
function balancerCertificate(aws: AwsSettings, problems: string[]): void {
  const names = JSON.stringify(aws.domains.length === 1 ? aws.domains[0] : aws.domains);
  if (aws.hostedZone !== "" && aws.domains.length === 0) {
    problems.push(
      `${PROJECT}:hostedZone = ${JSON.stringify(aws.hostedZone)} and no ${PROJECT}:domain: the zone holds the records of the load balancer's certificate for the domain; set domain (pulumi config set domain www.example.com), or remove hostedZone (pulumi config rm hostedZone)`,
    );
  } else if (aws.hostedZone !== "" && !aws.loadBalancer) {
    problems.push(
      `${PROJECT}:hostedZone = ${JSON.stringify(aws.hostedZone)} without a load balancer: the zone serves the load balancer's ACM certificate only; set loadBalancer to true (pulumi config set loadBalancer true), or remove hostedZone (pulumi config rm hostedZone)`,
    );
  } else if (aws.loadBalancer && aws.domains.length > 0 && aws.hostedZone === "") {
    problems.push(
      `${PROJECT}:domain = ${names} behind the load balancer needs ${PROJECT}:hostedZone: ACM validates the certificate through DNS records the stack writes in the domain's Route 53 hosted zone; set it to the zone's name or id (pulumi config set hostedZone example.com), or remove domain (pulumi config rm domain) for HTTP only`,
    );
  } else if (aws.loadBalancer && aws.domains.length > ACM_NAMES) {
    problems.push(
      `${PROJECT}:domain = ${names}: an ACM certificate takes at most ${ACM_NAMES} names (its default quota); list fewer`,
    );
  } else if (aws.loadBalancer && HOSTNAME.test(aws.hostedZone) && !isZoneId(aws.hostedZone)) {
    // (A name or a zone already refused has its own message.)
    const zone = aws.hostedZone;
    for (const name of aws.domains.filter((d) => HOSTNAME.test(d) && d !== zone && !d.endsWith(`.${zone}`)))
      problems.push(
        `${PROJECT}:domain ${JSON.stringify(name)} is not in ${PROJECT}:hostedZone ${JSON.stringify(zone)}: the stack can write its validation record only in that zone; list names under ${zone}, or set hostedZone to their zone`,
      );
  }
}

/** Whether a hostedZone is a zone's id (Route 53's ids: Z and uppercase letters and digits), not its name. */
export const isZoneId = (zone: string): boolean => /^Z[A-Z0-9]{1,32}$/.test(zone);

/** Names of one ACM certificate, by default (ACM's quota "Domain names per ACM certificate"). */
const ACM_NAMES = 10;

function assertDistinctPaths(app: AppSettings, problems: string[]): void {
  const dirs = { appDir: app.dir, dataDir: app.dataDir, logDir: app.logDir };
  const entries = Object.entries(dirs).filter(([, dir]) => dir !== "");
  for (const [a, dirA] of entries) {
    for (const [b, dirB] of entries) {
      if (a < b && (dirA === dirB || dirA.startsWith(`${dirB}/`) || dirB.startsWith(`${dirA}/`))) {
        problems.push(
          `${PROJECT}:${a} (${dirA}) and ${PROJECT}:${b} (${dirB}) overlap; releases, data and logs need separate directories so a redeploy never touches data`,
        );
      }
    }
  }
}

const NAME = /^[a-z_][a-z0-9_-]{0,30}$/;
const SERVICE_NAME = /^[a-z][a-z0-9]{0,15}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Debian policy's package names.
const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
// Python module paths may hold "-" and start with a digit (web_flask.0-hello_route): Gunicorn
// imports them with importlib, which takes any name.
const WSGI_APP = /^[A-Za-z0-9_][A-Za-z0-9_.-]*:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
// What an Nginx location and a rewrite take without quoting.
const URL_PATH = /^\/[A-Za-z0-9._~/-]*$/;
const RELATIVE_DIR = /^[A-Za-z0-9_][A-Za-z0-9._/-]*[A-Za-z0-9_]$/;
const SYSTEM_PATHS = [
  "/",
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/home",
  "/lib",
  "/proc",
  "/root",
  "/run",
  "/sbin",
  "/sys",
  "/tmp",
  "/usr",
  "/var",
];
const HOSTNAME =
  /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** Reads one key at a time; each failure adds a message naming the key, the value and the fix. */
class Reader {
  constructor(
    private readonly raw: RawConfig,
    private readonly problems: string[],
  ) {}

  private fail(key: string, value: unknown, fix: string): void {
    this.problems.push(`${PROJECT}:${key} = ${JSON.stringify(value)}: ${fix}`);
  }

  private required(key: string, fix: string): string {
    const value = this.raw[key];
    if (value === undefined || value.trim() === "") {
      this.problems.push(`${PROJECT}:${key} is missing: ${fix}`);
      return "";
    }
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.required(key, `set it to one of ${allowed.join(", ")}`);
    if (value !== "" && !allowed.includes(value as T)) this.fail(key, value, `expected one of ${allowed.join(", ")}`);
    return value as T;
  }

  integer(key: string, min: number, max: number): number {
    const value = this.required(key, `set an integer from ${min} to ${max}`);
    const n = Number(value);
    if (value !== "" && (!/^-?\d+$/.test(value.trim()) || n < min || n > max)) {
      this.fail(key, value, `expected an integer from ${min} to ${max}`);
    }
    return n;
  }

  /** true or false, as the CLI writes a boolean; MEANING says what each does. */
  boolean(key: string, meaning: string): boolean {
    const value = this.required(key, `set true or false: ${meaning}`);
    if (value !== "" && value !== "true" && value !== "false")
      this.fail(key, value, `expected true or false: ${meaning}`);
    return value === "true";
  }

  name(key: string): string {
    const value = this.required(key, "set a lowercase user name such as hbnb");
    if (value !== "" && !NAME.test(value)) {
      this.fail(
        key,
        value,
        "expected a lowercase name: a letter or _, then letters, digits, _ or -, at most 31 characters",
      );
    }
    return value;
  }

  absolutePath(key: string): string {
    const value = this.required(key, "set an absolute directory such as /srv/hbnb");
    if (value === "") return value;
    if (!/^\/[A-Za-z0-9._/-]*$/.test(value) || value.includes("..") || value.includes("//") || value.endsWith("/")) {
      this.fail(
        key,
        value,
        "expected an absolute path of letters, digits, '.', '_', '-' and '/', with no '..' and no trailing slash",
      );
    } else if (SYSTEM_PATHS.includes(value)) {
      this.fail(key, value, "a system directory cannot hold the app; use a directory of its own such as /srv/hbnb");
    }
    return value;
  }

  serverName(key: string): string {
    const value = this.required(key, "set _ (any host name) or a domain such as example.com");
    if (value !== "" && value !== "_" && !value.split(/\s+/).every((name) => HOSTNAME.test(name))) {
      this.fail(key, value, "expected _ or space-separated host names such as example.com www.example.com");
    }
    return value;
  }

  databaseUrl(key: string): string {
    const value = this.raw[key] ?? "";
    if (value === "") return value;
    // The value holds a password: a message shows only its scheme.
    const scheme = /^([a-z0-9]+)(?:\+([a-z0-9_]+))?:\/\//.exec(value);
    if (!scheme || !/^\S*$/.test(value) || !["sqlite", "mysql", "mariadb"].includes(scheme[1])) {
      this.fail(
        key,
        "(hidden)",
        "expected an SQLAlchemy URL such as mysql+mysqldb://user:pass@host/db, or empty for SQLite in dataDir",
      );
      return value;
    }
    const [, dialect, driver] = scheme;
    // SQLite's driver is Python's own; for MySQL and MariaDB the packages step installs
    // python3-mysqldb, SQLAlchemy's default driver of both dialects, and no other.
    const installed = dialect === "sqlite" ? "pysqlite" : "mysqldb";
    if (driver !== undefined && driver !== installed) {
      this.fail(
        key,
        `${dialect}+${driver}://(hidden)`,
        dialect === "sqlite"
          ? "the servers have Python's own SQLite driver only; write the URL as sqlite:////path/to/db"
          : `the ${driver} driver is not installed on the servers (the stack installs python3-mysqldb); write the URL as ${dialect}+mysqldb://user:pass@host/db`,
      );
    }
    return value;
  }

  release(key: string): string {
    const value = this.raw[key] ?? "";
    if (value !== "" && !/^r-[0-9a-f]{12}$/.test(value)) {
      this.fail(
        key,
        value,
        "expected a release id such as r-0123456789ab (ls /srv/hbnb/releases on a server), or empty to deploy the app",
      );
    }
    return value;
  }

  /** A JSON value of KEY, or undefined (with a message) when the text is not JSON. */
  private json(key: string, fix: string): unknown {
    const value = this.raw[key] ?? "";
    if (value === "") return undefined;
    try {
      return JSON.parse(value);
    } catch {
      this.fail(key, value, fix);
      return undefined;
    }
  }

  /** Environment variables: names as the shell takes them, one-line values. */
  private variables(key: string, value: unknown, fix: string): Record<string, string> {
    if (value === undefined) return {};
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(key, value, fix);
      return {};
    }
    const out: Record<string, string> = {};
    for (const [name, text] of Object.entries(value)) {
      if (!ENV_NAME.test(name)) this.fail(key, name, `not a variable name; ${fix}`);
      else if (typeof text !== "string" || text.includes("\n"))
        this.fail(`${key}.${name}`, text, `expected one line of text; ${fix}`);
      else out[name] = text;
    }
    return out;
  }

  environment(key: string): Record<string, string> {
    const fix =
      "expected a map of variable names to text, e.g. pulumi config set --path 'appEnvironment.HBNB_TYPE_STORAGE' db";
    return this.variables(key, this.json(key, fix), fix);
  }

  packages(key: string): string[] {
    const fix = "list Debian/Ubuntu package names, e.g. pulumi config set --path 'pythonPackages[0]' python3-flasgger";
    const value = this.json(key, fix);
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
      this.fail(key, value, fix);
      return [];
    }
    for (const name of value.filter((item) => !PACKAGE.test(item))) this.fail(key, name, `not a package name; ${fix}`);
    return value as string[];
  }

  /** The services of layout custom; none may be given with another layout. */
  services(key: string, layout: AppLayout, workers: number): ServiceSettings[] {
    const fix = `expected a list of {name, app: "module:callable", routes: [{path, to?, exact?}], workers?, environment?, static?: [{path, dir}]}`;
    const value = this.json(key, fix);
    const list = Array.isArray(value) ? value : [];
    if (value !== undefined && !Array.isArray(value)) this.fail(key, value, fix);
    if (layout !== "custom") {
      if (list.length > 0)
        this.fail(
          key,
          "(a list)",
          `only layout custom takes services; layout is ${layout}: set layout to custom, or remove services`,
        );
      return [];
    }
    if (list.length === 0) {
      this.problems.push(`${PROJECT}:${key} is empty: layout custom runs the services listed there; ${fix}`);
      return [];
    }
    const seen = new Set<string>();
    const routes = new Set<string>();
    return list.map((item: unknown, index) => {
      const at = `${key}[${index}]`;
      const s = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
      const name = typeof s.name === "string" ? s.name : "";
      if (!SERVICE_NAME.test(name))
        this.fail(
          `${at}.name`,
          s.name,
          "expected a short lowercase name (a letter, then letters or digits, at most 16): it names the service's unit",
        );
      else if (seen.has(name))
        this.fail(`${at}.name`, name, "another service has this name; each service needs its own");
      seen.add(name);
      const app = typeof s.app === "string" ? s.app : "";
      if (!WSGI_APP.test(app))
        this.fail(`${at}.app`, s.app, 'expected module:callable as Gunicorn takes it, e.g. "api.v1.app:app"');
      const routeList = Array.isArray(s.routes) ? (s.routes as unknown[]) : [];
      if (routeList.length === 0)
        this.fail(`${at}.routes`, s.routes, 'list at least one route, e.g. [{"path": "/api/"}]');
      const parsedRoutes = routeList.map((r: unknown, i) => {
        const route = (typeof r === "object" && r !== null ? r : {}) as Record<string, unknown>;
        const path = typeof route.path === "string" ? route.path : "";
        const to = route.to === undefined ? path : typeof route.to === "string" ? route.to : "";
        const exact = route.exact === true;
        for (const [field, text] of [
          ["path", path],
          ["to", to],
        ] as const) {
          if (!URL_PATH.test(text))
            this.fail(
              `${at}.routes[${i}].${field}`,
              route[field] ?? text,
              "expected a URL path: /, then letters, digits and . _ ~ - /",
            );
        }
        if (path.startsWith("/-/"))
          this.fail(
            `${at}.routes[${i}].path`,
            path,
            "/-/ belongs to the stack (its health path); choose another prefix",
          );
        const id = `${exact ? "=" : ""}${path}`;
        if (routes.has(id))
          this.fail(`${at}.routes[${i}].path`, path, "another route has this path; each path goes to one service");
        routes.add(id);
        return { path, to, exact };
      });
      const staticList = Array.isArray(s.static) ? (s.static as unknown[]) : [];
      if (s.static !== undefined && !Array.isArray(s.static))
        this.fail(`${at}.static`, s.static, 'expected a list of {"path": "/static/", "dir": "web/static"}');
      const parsedStatic = staticList.map((d: unknown, i) => {
        const dir = (typeof d === "object" && d !== null ? d : {}) as Record<string, unknown>;
        const path = typeof dir.path === "string" ? dir.path : "";
        const rel = typeof dir.dir === "string" ? dir.dir : "";
        if (!URL_PATH.test(path) || !path.endsWith("/"))
          this.fail(`${at}.static[${i}].path`, dir.path, "expected a URL path ending in /, e.g. /static/");
        if (!RELATIVE_DIR.test(rel) || rel.split("/").includes(".."))
          this.fail(
            `${at}.static[${i}].dir`,
            dir.dir,
            "expected a directory of the app, relative to its root, e.g. web_dynamic/static",
          );
        const id = path;
        if (routes.has(id))
          this.fail(`${at}.static[${i}].path`, path, "a route has this path too; each path goes to one place");
        routes.add(id);
        return { path, dir: rel };
      });
      let n = workers;
      if (s.workers !== undefined) {
        if (typeof s.workers !== "number" || !Number.isInteger(s.workers) || s.workers < 1 || s.workers > 64)
          this.fail(`${at}.workers`, s.workers, "expected an integer from 1 to 64");
        else n = s.workers;
      }
      const environment = this.variables(
        `${at}.environment`,
        s.environment,
        "expected a map of variable names to text",
      );
      const known = ["name", "app", "routes", "workers", "environment", "static"];
      for (const field of Object.keys(s).filter((f) => !known.includes(f)))
        this.fail(`${at}.${field}`, s[field], `not a field of a service; known: ${known.join(", ")}`);
      return { name, app, routes: parsedRoutes, workers: n, environment, static: parsedStatic };
    });
  }

  /** appSource, appRef and appSourceKey together: each makes sense only with the others. */
  appSource(): AppSource {
    const text = (key: string) => this.raw[key] ?? "";
    const { source, problems } = readAppSource(
      { appSource: text("appSource"), appRef: text("appRef"), appSourceKey: text("appSourceKey") },
      projectDir,
      PROJECT,
    );
    this.problems.push(...problems);
    return source;
  }

  /**
   * The site's names: one name as text (pulumi config set domain www.example.com), or a list
   * (pulumi config set --path 'domain[0]' example.com); empty: none. Lowercase, each once.
   */
  domains(key: string): string[] {
    const fix = `expected a DNS name such as www.example.com, or a list of them: pulumi config set --path '${key}[0]' example.com`;
    const value = (this.raw[key] ?? "").trim();
    if (value === "" || value === "[]") return [];
    let names: unknown = value;
    if (value.startsWith("[")) names = this.json(key, fix);
    const list = Array.isArray(names) ? names : [names];
    if (!list.every((name): name is string => typeof name === "string")) {
      this.fail(key, names, fix);
      return [];
    }
    const domains = list.map((name) => name.trim().toLowerCase().replace(/\.$/, ""));
    for (const name of domains) {
      if (name.startsWith("*."))
        this.fail(
          key,
          name,
          "a wildcard name needs a DNS-01 challenge, which the stack does not make; list each name (www.example.com, api.example.com)",
        );
      else if (isIp(name) || !HOSTNAME.test(name) || !name.includes("."))
        this.fail(key, name, `not a domain name; ${fix}`);
    }
    if (new Set(domains).size !== domains.length) this.fail(key, domains, "lists a name twice; each name once");
    return domains;
  }

  /** A Route 53 hosted zone: its id (Z0123456789ABCDEFGHIJ) or its name (example.com); empty: none. */
  hostedZone(key: string): string {
    const value = (this.raw[key] ?? "").trim().replace(/\.$/, "");
    if (value !== "" && !isZoneId(value) && !(HOSTNAME.test(value) && value.includes(".")))
      this.fail(
        key,
        value,
        "expected the Route 53 hosted zone of the domain, by name (example.com) or id (Z0123456789ABCDEFGHIJ): aws route53 list-hosted-zones",
      );
    return isZoneId(value) ? value : value.toLowerCase();
  }

  databaseInstanceClass(key: string): string {
    const value = this.required(key, "set an RDS instance class such as db.t4g.micro");
    if (value !== "" && !/^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(value))
      this.fail(key, value, "expected an RDS instance class such as db.t4g.micro or db.m7g.large");
    return value;
  }

  /**
   * {"min": 1, "max": 4, "cpuTarget": 60}, or {} (the default) for no autoscaling. Bounds: a
   * group of 1 to 20 servers; a CPU target from 10 % (lower keeps adding servers for nothing)
   * to 90 % (higher leaves no headroom while a new instance boots and runs the plan).
   */
  autoscaling(key: string): Autoscaling | undefined {
    const example = `pulumi config set --path '${key}.min' 1 (and ${key}.max, ${key}.cpuTarget), or {"min": 1, "max": 4, "cpuTarget": 60}`;
    const value = this.json(key, `expected a JSON object such as {"min": 1, "max": 4, "cpuTarget": 60}`);
    if (value === undefined) return undefined;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(key, value, `expected an object such as {"min": 1, "max": 4, "cpuTarget": 60}`);
      return undefined;
    }
    const fields = value as Record<string, unknown>;
    if (Object.keys(fields).length === 0) return undefined;
    const bounds = { min: [1, 20], max: [1, 20], cpuTarget: [10, 90] } as const;
    for (const name of Object.keys(fields).filter((n) => !(n in bounds)))
      this.fail(`${key}.${name}`, fields[name], "not a field of autoscaling; known: min, max, cpuTarget");
    const read = (name: keyof typeof bounds): number => {
      // `pulumi config set --path` stores numbers as numbers; a number in quotes is taken too.
      const field = typeof fields[name] === "string" ? Number(fields[name]) : fields[name];
      const [low, high] = bounds[name];
      if (typeof field !== "number" || !Number.isInteger(field) || field < low || field > high) {
        this.fail(
          `${key}.${name}`,
          fields[name] ?? null,
          `expected an integer from ${low} to ${high}; set it with ${example}`,
        );
        return low;
      }
      return field;
    };
    const scaling: Autoscaling = { min: read("min"), max: read("max"), cpuTarget: read("cpuTarget") };
    if (scaling.min > scaling.max)
      this.fail(
        key,
        value,
        `min (${scaling.min}) is above max (${scaling.max}); the group needs min <= max: lower min or raise max`,
      );
    return scaling;
  }

  /**
   * domain (one name or a list), acmeEmail, acmeServer and acmeCaBundle together; undefined
   * without a domain (HTTP only), or where a load balancer in front holds the certificate.
   */
  https(settings: Settings): HttpsSettings | undefined {
    // On AWS, read once already for the load balancer's certificate.
    const domains = settings.aws ? settings.aws.domains : this.domains("domain");
    if (domains.length === 0) return undefined;
    if (settings.loadBalancerHost !== undefined)
      this.fail(
        "domain",
        domains,
        "HTTPS is not built for servers behind loadBalancerHost (HAProxy would send the ACME challenge to any server); remove domain, or loadBalancerHost",
      );
    // Behind AWS's load balancer the certificate is the load balancer's, not the servers'.
    if (settings.aws?.loadBalancer) return undefined;
    // Let's Encrypt's limit of names on one certificate.
    if (domains.length > 100) this.fail("domain", `${domains.length} names`, "a certificate takes at most 100 names");
    const email = (this.raw.acmeEmail ?? "").trim();
    if (email === "")
      this.problems.push(
        `${PROJECT}:acmeEmail is missing: domain is set, and the ACME account needs a contact; pulumi config set acmeEmail you@example.com`,
      );
    else if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
      this.fail("acmeEmail", email, "expected an email address such as you@example.com");
    const server = (this.raw.acmeServer ?? "").trim();
    if (!/^https:\/\/[^\s/]+(\/\S*)?$/.test(server))
      this.fail("acmeServer", server, `expected the https:// URL of an ACME directory, such as ${LETS_ENCRYPT}`);
    const caBundle = (this.raw.acmeCaBundle ?? "").trim();
    if (
      caBundle !== "" &&
      !/^(-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\s*)+$/.test(caBundle)
    )
      this.fail(
        "acmeCaBundle",
        caBundle.slice(0, 40),
        "expected PEM certificates (-----BEGIN CERTIFICATE----- ...); set it with: pulumi config set acmeCaBundle < root.pem",
      );
    return { domains, email, server, caBundle: caBundle && `${caBundle}\n` };
  }

  instanceType(key: string): string {
    const value = this.required(key, "set an EC2 instance type such as t3.micro");
    if (value !== "" && !/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(value))
      this.fail(key, value, "expected an EC2 instance type such as t3.micro or t4g.small");
    return value;
  }

  private list(key: string, fix: string): string[] {
    const value = this.required(key, fix);
    if (value === "") return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
      this.fail(key, value, `expected a list of strings; ${fix}`);
      return [];
    }
    if (parsed.length === 0) this.fail(key, parsed, `the list is empty; ${fix}`);
    return parsed as string[];
  }

  cidrs(key: string): string[] {
    const fix =
      "list the addresses allowed to reach SSH: pulumi config set --path 'adminCidrs[0]' \"$(curl -s https://checkip.amazonaws.com)/32\"";
    const cidrs = this.list(key, fix);
    for (const cidr of cidrs) {
      if (!isCidr(cidr))
        this.fail(
          key,
          cidr,
          `not a CIDR; expected an address with a prefix length such as 203.0.113.7/32 or 2001:db8::/64`,
        );
      else if (/\/0$/.test(cidr))
        this.fail(key, cidr, "opens SSH to the whole internet; list your own addresses, such as 203.0.113.7/32");
    }
    return cidrs;
  }

  /** Whether VALUE of KEY is an IP address or DNS name (of the server that runs WHAT); else a failure. */
  private isServer(key: string, value: string, what: string): boolean {
    if (HOSTNAME.test(value) || isIp(value)) return true;
    this.fail(
      key,
      value,
      `expected the IP address or DNS name of the server that runs ${what}, one of hosts or a server of its own`,
    );
    return false;
  }

  /** An address, or empty; one of HOSTS only if another host is left to run the app. */
  loadBalancerHost(key: string, hosts: string[]): string {
    const value = (this.raw[key] ?? "").trim();
    if (value === "" || !this.isServer(key, value, "HAProxy")) return value;
    if (hosts.length > 0 && hosts.every((host) => host === value)) {
      this.fail(
        key,
        value,
        "it is the only server in hosts, so no server would be left to run the app; add the web servers to hosts, or remove loadBalancerHost (pulumi config rm loadBalancerHost)",
      );
    }
    return value;
  }

  /** An address, or empty; not the load balancer's, and one of HOSTS only if a web server is left. */
  databaseHost(key: string, hosts: string[], balancer: string): string {
    const value = (this.raw[key] ?? "").trim();
    if (value === "" || !this.isServer(key, value, "MariaDB")) return value;
    if (value === balancer) {
      this.fail(
        key,
        value,
        "it is loadBalancerHost too; HAProxy and MariaDB go on two servers: set databaseHost to another server",
      );
    } else if (hosts.length > 0 && hosts.every((host) => host === value || host === balancer)) {
      this.fail(
        key,
        value,
        "no server of hosts would be left to run the app; add the web servers to hosts, or remove databaseHost (pulumi config rm databaseHost)",
      );
    }
    return value;
  }

  hosts(key: string): string[] {
    const hosts = this.list(key, "list the servers' addresses: pulumi config set --path 'hosts[0]' 192.0.2.10");
    for (const host of hosts) {
      if (!HOSTNAME.test(host) && !isIp(host)) this.fail(key, host, "expected an IP address or a DNS name");
    }
    if (new Set(hosts).size !== hosts.length) this.fail(key, hosts, "lists a server twice; each address once");
    return hosts;
  }

  publicKey(key: string): string {
    const value = this.required(key, 'set it with: pulumi config set publicKey "$(cat ~/.ssh/hbnb.pub)"');
    const line = value.trim();
    if (value === "") return line;
    if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$/.test(line)) {
      this.fail(
        key,
        line.slice(0, 40),
        "expected one OpenSSH public key line (ssh-ed25519 AAAA... or ssh-rsa AAAA...); the .pub file, not the private key",
      );
    } else if (line.startsWith("ecdsa-")) {
      // EC2's ImportKeyPair takes RSA and ED25519 keys only: an ECDSA key fails there, after the
      // security group exists.
      this.fail(
        key,
        line.slice(0, 40),
        "EC2 key pairs take ED25519 or RSA keys only, not ECDSA; make a key pair with ssh-keygen -t ed25519 -f ~/.ssh/hbnb -N '' and set publicKey and privateKey from it",
      );
    }
    return line;
  }

  privateKey(key: string): string {
    const value = this.required(key, "set it with: pulumi config set --secret privateKey < ~/.ssh/hbnb");
    // Never echo a private key in a message, even a malformed one.
    if (
      value !== "" &&
      !/^-----BEGIN (OPENSSH|RSA|EC) PRIVATE KEY-----\n[\s\S]+\n-----END \1 PRIVATE KEY-----\s*$/.test(
        value.trim() + "\n",
      )
    ) {
      this.fail(
        key,
        "(secret, hidden)",
        "expected a PEM or OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY----- ...); set it with: pulumi config set --secret privateKey < ~/.ssh/hbnb",
      );
    }
    return value.trim() + "\n";
  }
}

function isIpv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIpv6(text: string): boolean {
  if (!/^[0-9a-fA-F:]+$/.test(text) || (text.match(/::/g) ?? []).length > 1) return false;
  const groups = text.split(":").filter((g) => g !== "");
  return groups.every((g) => g.length <= 4) && (text.includes("::") ? groups.length < 8 : groups.length === 8);
}

function isIp(text: string): boolean {
  return isIpv4(text) || isIpv6(text);
}

export function isCidr(text: string): boolean {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!match) return false;
  const [, address, prefix] = match;
  if (isIpv4(address)) return Number(prefix) <= 32;
  return isIpv6(address) && Number(prefix) <= 128;
}
