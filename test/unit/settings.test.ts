import * as fs from "fs";
import * as path from "path";
import { configSchema, parseSettings, RawConfig, SettingsError, webHosts, withDefaults } from "../../core/settings";

const fixtures = path.join(__dirname, "..", "fixtures");
const privateKey = fs.readFileSync(path.join(fixtures, "id_ed25519"), "utf8");
const publicKey = fs.readFileSync(path.join(fixtures, "id_ed25519.pub"), "utf8").trim();

const aws: RawConfig = { adminCidrs: '["203.0.113.7/32"]', publicKey, privateKey };
const existing: RawConfig = { target: "existing", hosts: '["192.0.2.10"]', privateKey };

function problemsOf(raw: RawConfig): string[] {
  try {
    parseSettings(raw);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  return [];
}

describe("defaults", () => {
  test("come from Pulumi.yaml's config schema", () => {
    const schema = configSchema();
    expect(schema.workers.default).toBe(3);
    expect(withDefaults({}).workers).toBe("3");
    expect(withDefaults({ workers: "5" }).workers).toBe("5");
  });

  test("an AWS stack with only the required values", () => {
    const settings = parseSettings(aws);
    expect(settings.target).toBe("aws");
    expect(settings.aws).toEqual({
      ubuntuRelease: "24.04",
      instanceType: "t3.micro",
      instanceCount: 1,
      rootVolumeSize: 8,
      adminCidrs: ["203.0.113.7/32"],
      publicKey,
      loadBalancer: false,
      dataVolumeSize: 10,
      finalSnapshot: true,
      databaseDeletionProtection: true,
      databaseInstanceClass: "db.t4g.micro",
      domains: [],
      hostedZone: "",
    });
    expect(settings.hosts).toBeUndefined();
    expect(settings.ssh).toEqual({ user: "ubuntu", port: 22, privateKey });
    expect(settings.app).toEqual({
      user: "hbnb",
      dir: "/srv/hbnb",
      dataDir: "/var/lib/hbnb",
      logDir: "/var/log/hbnb",
      databaseUrl: "",
      database: "sqlite",
      serverName: "_",
      workers: 3,
      keepReleases: 5,
      apiRateLimit: 10,
      apiWriteAccess: "token",
      release: "",
      destroyKeepsData: true,
      demoData: true,
      layout: "bundled",
      services: [],
      environment: {},
      pythonPackages: [],
      rewriteClassicUrls: false,
      source: { kind: "bundled" },
    });
  });

  test("existing servers, with no AWS settings at all", () => {
    const settings = parseSettings({
      ...existing,
      hosts: '["192.0.2.10", "web2.example.com", "2001:db8::5"]',
      sshUser: "admin",
    });
    expect(settings.target).toBe("existing");
    expect(settings.hosts).toEqual(["192.0.2.10", "web2.example.com", "2001:db8::5"]);
    expect(settings.aws).toBeUndefined();
    expect(settings.ssh.user).toBe("admin");
  });
});

describe("good values are accepted", () => {
  test.each<[string, RawConfig]>([
    ["Ubuntu 22.04", { ...aws, ubuntuRelease: "22.04" }],
    ["a Graviton instance", { ...aws, instanceType: "t4g.small" }],
    ["IPv6 and several admin CIDRs", { ...aws, adminCidrs: '["203.0.113.0/24", "2001:db8::/48"]' }],
    ["three servers sharing RDS", { ...aws, instanceCount: "3", database: "rds" }],
    [
      "three servers sharing a MySQL of your own",
      { ...aws, instanceCount: "3", databaseUrl: "mysql://hbnb:pw@db.internal/hbnb" },
    ],
    ["one server behind a load balancer, SQLite on its data volume", { ...aws, loadBalancer: "true" }],
    [
      "RDS that destroy may delete, without final snapshots",
      { ...aws, database: "rds", databaseDeletionProtection: "false", finalSnapshot: "false" },
    ],
    ["a larger data volume and database", { ...aws, dataVolumeSize: "200", databaseInstanceClass: "db.m7g.large" }],
    ["SSH on another port", { ...aws, sshPort: "2222" }],
    ["a domain name", { ...aws, serverName: "example.com www.example.com" }],
    ["a pinned release", { ...aws, release: "r-0123456789ab" }],
    ["a destroy that removes the data", { ...existing, destroyKeepsData: "false" }],
    ["a MariaDB URL", { ...aws, databaseUrl: "mysql+mysqldb://hbnb:pw@db.internal/hbnb" }],
    ["a MySQL URL with the default driver", { ...aws, databaseUrl: "mysql://hbnb:pw@db.internal/hbnb" }],
    ["a MariaDB dialect URL", { ...aws, databaseUrl: "mariadb+mysqldb://hbnb:pw@db.internal/hbnb" }],
    ["MariaDB on the servers", { ...aws, database: "mariadb" }],
    ["MariaDB on the servers, databaseUrl at its default", { ...withDefaults(existing), database: "mariadb" }],
    ["an RSA public key for EC2", { ...aws, publicKey: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 me@laptop" }],
    // What the CLI sends: every key, the other target's at their defaults (see program.test.ts).
    ["an AWS stack with every default written in", withDefaults(aws)],
    ["servers of your own with every default written in", withDefaults(existing)],
    [
      "AWS settings set to their defaults on servers of your own",
      { ...existing, instanceCount: "1", adminCidrs: "[]" },
    ],
    [
      "an ECDSA key for servers of your own (no EC2 involved)",
      { ...existing, privateKey: "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----\n" },
    ],
    ["other directories", { ...existing, appDir: "/opt/hbnb", dataDir: "/opt/hbnb-data", logDir: "/var/log/web" }],
    [
      "an RSA PEM key",
      { ...existing, privateKey: "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n" },
    ],
  ])("%s", (_, raw) => {
    expect(problemsOf(raw)).toEqual([]);
  });
});

describe("loadBalancerHost", () => {
  const shared = "mysql+mysqldb://hbnb:pw@192.0.2.30/hbnb";
  test("one of hosts: it runs HAProxy only, the others the app", () => {
    const settings = parseSettings({
      ...existing,
      hosts: '["192.0.2.10", "192.0.2.11", "192.0.2.12"]',
      loadBalancerHost: "192.0.2.12",
      databaseUrl: shared,
    });
    expect(settings.loadBalancerHost).toBe("192.0.2.12");
    expect(webHosts(settings)).toEqual(["192.0.2.10", "192.0.2.11"]);
  });

  test("a server of its own, in front of every host", () => {
    const settings = parseSettings({
      ...existing,
      hosts: '["192.0.2.10", "192.0.2.11"]',
      loadBalancerHost: "lb.example.com",
      databaseUrl: shared,
    });
    expect(webHosts(settings)).toEqual(["192.0.2.10", "192.0.2.11"]);
  });

  test("in front of one web server, SQLite stays allowed; none by default", () => {
    expect(parseSettings({ ...existing, loadBalancerHost: "192.0.2.20" }).loadBalancerHost).toBe("192.0.2.20");
    expect(parseSettings(existing).loadBalancerHost).toBeUndefined();
  });

  test.each<[string, RawConfig, string]>([
    [
      "not an address",
      { ...existing, loadBalancerHost: "lb 1" },
      'hbnb-stack:loadBalancerHost = "lb 1": expected the IP address or DNS name of the server that runs HAProxy, one of hosts or a server of its own',
    ],
    [
      "the only host",
      { ...existing, loadBalancerHost: "192.0.2.10" },
      'hbnb-stack:loadBalancerHost = "192.0.2.10": it is the only server in hosts, so no server would be left to run the app; add the web servers to hosts, or remove loadBalancerHost (pulumi config rm loadBalancerHost)',
    ],
    [
      "two web servers on SQLite",
      { ...existing, hosts: '["192.0.2.10", "192.0.2.11"]', loadBalancerHost: "192.0.2.20" },
      'hbnb-stack:hosts = 2 web servers behind hbnb-stack:loadBalancerHost with database "sqlite" (a SQLite file on each server): each server would keep data of its own; set databaseHost to a server that runs MariaDB for them all (pulumi config set databaseHost 192.0.2.30), or databaseUrl to one MySQL or MariaDB database they share (pulumi config set --secret databaseUrl mysql+mysqldb://user:pass@host/db), or list one web server',
    ],
    [
      "two web servers with MariaDB on each",
      {
        ...existing,
        hosts: '["192.0.2.10", "192.0.2.11", "192.0.2.20"]',
        loadBalancerHost: "192.0.2.20",
        database: "mariadb",
      },
      'hbnb-stack:hosts = 2 web servers behind hbnb-stack:loadBalancerHost with database "mariadb" (MariaDB on each server): each server would keep data of its own; set databaseHost to a server that runs MariaDB for them all (pulumi config set databaseHost 192.0.2.30), or databaseUrl to one MySQL or MariaDB database they share (pulumi config set --secret databaseUrl mysql+mysqldb://user:pass@host/db), or list one web server',
    ],
    [
      "with target aws",
      { ...aws, loadBalancerHost: "192.0.2.20" },
      'hbnb-stack:loadBalancerHost = "192.0.2.20": only applies to target existing, but target is aws; remove it (pulumi config rm loadBalancerHost), or set target to existing to use those servers',
    ],
  ])("%s", (_, raw, message) => {
    expect(problemsOf(raw)).toEqual([message]);
  });
});

describe("databaseHost", () => {
  const two = { ...existing, hosts: '["192.0.2.10", "192.0.2.11", "192.0.2.30"]', loadBalancerHost: "192.0.2.20" };
  test("one of hosts: it runs MariaDB only; the web servers behind the load balancer share it", () => {
    const settings = parseSettings({ ...two, databaseHost: "192.0.2.30" });
    expect([settings.databaseHost, settings.app.database]).toEqual(["192.0.2.30", "mariadb"]);
    expect(webHosts(settings)).toEqual(["192.0.2.10", "192.0.2.11"]);
  });

  test("a server of its own, with database mariadb said or left at its default; none by default", () => {
    const own = { ...two, hosts: '["192.0.2.10", "192.0.2.11"]', databaseHost: "db.example.com" };
    expect(parseSettings(own).app.database).toBe("mariadb");
    expect(parseSettings({ ...own, database: "mariadb" }).databaseHost).toBe("db.example.com");
    expect(webHosts(parseSettings(own))).toEqual(["192.0.2.10", "192.0.2.11"]);
    expect(parseSettings(existing).databaseHost).toBeUndefined();
  });

  test.each<[string, RawConfig, string[]]>([
    [
      "not an address",
      { ...existing, databaseHost: "db 1" },
      [
        'hbnb-stack:databaseHost = "db 1": expected the IP address or DNS name of the server that runs MariaDB, one of hosts or a server of its own',
      ],
    ],
    [
      "the load balancer's server",
      { ...two, databaseHost: "192.0.2.20" },
      [
        'hbnb-stack:databaseHost = "192.0.2.20": it is loadBalancerHost too; HAProxy and MariaDB go on two servers: set databaseHost to another server',
      ],
    ],
    [
      "the only host",
      { ...existing, databaseHost: "192.0.2.10" },
      [
        'hbnb-stack:databaseHost = "192.0.2.10": no server of hosts would be left to run the app; add the web servers to hosts, or remove databaseHost (pulumi config rm databaseHost)',
      ],
    ],
    [
      "with databaseUrl",
      { ...two, databaseHost: "192.0.2.30", databaseUrl: "mysql+mysqldb://h:p@192.0.2.40/h" },
      [
        'hbnb-stack:databaseHost = "192.0.2.30" and hbnb-stack:databaseUrl is set: the app uses one database, MariaDB on the database host or the one at databaseUrl; remove databaseUrl (pulumi config rm databaseUrl) to use the database host, or remove databaseHost (pulumi config rm databaseHost)',
      ],
    ],
    [
      "with target aws",
      { ...aws, databaseHost: "192.0.2.30" },
      [
        'hbnb-stack:databaseHost = "192.0.2.30": only applies to target existing, but target is aws; remove it (pulumi config rm databaseHost), or set target to existing to use those servers',
      ],
    ],
  ])("%s", (_, raw, messages) => {
    expect(problemsOf(raw)).toEqual(messages);
  });
});

describe("bad values fail with the key, the value and the fix", () => {
  test.each<[string, RawConfig, RegExp]>([
    ["an unknown target", { ...aws, target: "gcp" }, /hbnb-stack:target = "gcp": expected one of aws, existing/],
    [
      "an unknown Ubuntu release",
      { ...aws, ubuntuRelease: "20.04" },
      /hbnb-stack:ubuntuRelease = "20.04": expected one of 22.04, 24.04/,
    ],
    [
      "a CIDR that is not one",
      { ...aws, adminCidrs: '["203.0.113.300/32"]' },
      /hbnb-stack:adminCidrs = "203.0.113.300\/32": not a CIDR/,
    ],
    [
      "an address with no prefix",
      { ...aws, adminCidrs: '["203.0.113.7"]' },
      /adminCidrs = "203.0.113.7": not a CIDR.*203.0.113.7\/32/,
    ],
    [
      "SSH open to the world",
      { ...aws, adminCidrs: '["0.0.0.0/0"]' },
      /adminCidrs = "0.0.0.0\/0": opens SSH to the whole internet/,
    ],
    ["SSH open to the IPv6 world", { ...aws, adminCidrs: '["::/0"]' }, /adminCidrs = "::\/0": opens SSH/],
    [
      "no admin CIDRs",
      { ...aws, adminCidrs: undefined },
      /hbnb-stack:adminCidrs is missing: list the addresses allowed to reach SSH/,
    ],
    ["an empty admin list", { ...aws, adminCidrs: "[]" }, /hbnb-stack:adminCidrs = \[\]: the list is empty/],
    [
      "admin CIDRs not a list",
      { ...aws, adminCidrs: "203.0.113.7/32" },
      /adminCidrs = "203.0.113.7\/32": expected a list of strings/,
    ],
    [
      "a port out of range",
      { ...aws, sshPort: "70000" },
      /hbnb-stack:sshPort = "70000": expected an integer from 1 to 65535/,
    ],
    ["a port that is not a number", { ...aws, sshPort: "ssh" }, /hbnb-stack:sshPort = "ssh": expected an integer/],
    [
      "demoData not a boolean",
      { ...existing, demoData: "no" },
      /hbnb-stack:demoData = "no": expected true or false: true loads the demo data into a new, empty database, false never does/,
    ],
    [
      "destroyKeepsData not a boolean",
      { ...existing, destroyKeepsData: "yes" },
      /hbnb-stack:destroyKeepsData = "yes": expected true or false: true keeps the app's data and logs at `pulumi destroy`, false removes them/,
    ],
    ["no workers", { ...aws, workers: "0" }, /hbnb-stack:workers = "0": expected an integer from 1 to 64/],
    [
      "a fractional count",
      { ...aws, instanceCount: "1.5" },
      /hbnb-stack:instanceCount = "1.5": expected an integer from 1 to 10/,
    ],
    [
      "a missing public key",
      { ...aws, publicKey: undefined },
      /hbnb-stack:publicKey is missing: set it with: pulumi config set publicKey/,
    ],
    [
      "the private key as public key",
      { ...aws, publicKey: privateKey },
      /hbnb-stack:publicKey = .*the .pub file, not the private key/,
    ],
    [
      "a missing private key",
      { ...aws, privateKey: undefined },
      /hbnb-stack:privateKey is missing: set it with: pulumi config set --secret privateKey/,
    ],
    [
      "a public key as private key",
      { ...aws, privateKey: publicKey },
      /hbnb-stack:privateKey = "\(secret, hidden\)": expected a PEM or OpenSSH private key/,
    ],
    [
      "hosts with target aws",
      { ...aws, hosts: '["192.0.2.10"]' },
      /^hbnb-stack:hosts = \["192.0.2.10"\]: only applies to target existing, but target is aws; remove it \(pulumi config rm hosts\), or set target to existing to use those servers$/,
    ],
    [
      "an AWS value other than its default with target existing",
      { ...existing, instanceType: "t3.small" },
      /^hbnb-stack:instanceType = "t3.small": only applies to target aws, but target is existing; remove it \(pulumi config rm instanceType\), or set target to aws$/,
    ],
    [
      "admin CIDRs with target existing",
      { ...existing, adminCidrs: '["203.0.113.7/32"]' },
      /^hbnb-stack:adminCidrs = \["203.0.113.7\/32"\]: only applies to target aws/,
    ],
    [
      "a public key with target existing, shown cut short",
      { ...existing, publicKey },
      /^hbnb-stack:publicKey = "ssh-ed25519 [A-Za-z0-9+/]{28}\.\.\.": only applies to target aws/,
    ],
    [
      "an ECDSA public key for EC2",
      { ...aws, publicKey: "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBE= me@laptop" },
      /^hbnb-stack:publicKey = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTIt": EC2 key pairs take ED25519 or RSA keys only, not ECDSA; make a key pair with ssh-keygen -t ed25519/,
    ],
    [
      "the PyMySQL driver, which the servers do not have",
      { ...aws, databaseUrl: "mysql+pymysql://hbnb:pw@db.internal/hbnb" },
      /^hbnb-stack:databaseUrl = "mysql\+pymysql:\/\/\(hidden\)": the pymysql driver is not installed on the servers \(the stack installs python3-mysqldb\); write the URL as mysql\+mysqldb:\/\/user:pass@host\/db$/,
    ],
    [
      "MySQL Connector/Python, which the servers do not have",
      { ...aws, databaseUrl: "mariadb+mysqlconnector://hbnb:pw@db.internal/hbnb" },
      /^hbnb-stack:databaseUrl = "mariadb\+mysqlconnector:\/\/\(hidden\)": the mysqlconnector driver is not installed .*; write the URL as mariadb\+mysqldb:\/\/user:pass@host\/db$/,
    ],
    [
      "no hosts with target existing",
      { ...existing, hosts: undefined },
      /hbnb-stack:hosts is missing: list the servers' addresses/,
    ],
    [
      "a host that is not an address",
      { ...existing, hosts: '["web 1"]' },
      /hbnb-stack:hosts = "web 1": expected an IP address or a DNS name/,
    ],
    [
      "the same host twice",
      { ...existing, hosts: '["192.0.2.10", "192.0.2.10"]' },
      /hbnb-stack:hosts = .*lists a server twice/,
    ],
    [
      "a user name with capitals",
      { ...aws, appUser: "HBnB" },
      /hbnb-stack:appUser = "HBnB": expected a lowercase name/,
    ],
    [
      "a relative directory",
      { ...aws, appDir: "srv/hbnb" },
      /hbnb-stack:appDir = "srv\/hbnb": expected an absolute path/,
    ],
    [
      "a system directory",
      { ...aws, dataDir: "/usr" },
      /hbnb-stack:dataDir = "\/usr": a system directory cannot hold the app/,
    ],
    [
      "data inside the releases",
      { ...aws, dataDir: "/srv/hbnb/data" },
      /hbnb-stack:appDir \(\/srv\/hbnb\) and hbnb-stack:dataDir \(\/srv\/hbnb\/data\) overlap/,
    ],
    [
      "a bad server name",
      { ...aws, serverName: "exa mple..com" },
      /hbnb-stack:serverName = "exa mple..com": expected _ or space-separated host names/,
    ],
    [
      "a bad instance type",
      { ...aws, instanceType: "micro" },
      /hbnb-stack:instanceType = "micro": expected an EC2 instance type/,
    ],
    [
      "too few releases kept",
      { ...aws, keepReleases: "1" },
      /hbnb-stack:keepReleases = "1": expected an integer from 2 to 50/,
    ],
    [
      "an API write access that is no mode",
      { ...aws, apiWriteAccess: "public" },
      /hbnb-stack:apiWriteAccess = "public": expected one of token, open/,
    ],
    [
      "a negative API rate limit",
      { ...aws, apiRateLimit: "-5" },
      /hbnb-stack:apiRateLimit = "-5": expected an integer from 0 to 100000/,
    ],
    [
      "a database URL of another kind",
      { ...aws, databaseUrl: "postgres://x" },
      /hbnb-stack:databaseUrl = "\(hidden\)": expected an SQLAlchemy URL/,
    ],
    [
      "a database that is no kind the stack installs",
      { ...aws, database: "mysql" },
      /^hbnb-stack:database = "mysql": expected one of sqlite, mariadb, rds$/,
    ],
    [
      "MariaDB on the servers and a database URL, the URL not shown",
      { ...aws, database: "mariadb", databaseUrl: "mysql+mysqldb://hbnb:s3cret@db.internal/hbnb" },
      /^hbnb-stack:database = "mariadb" and hbnb-stack:databaseUrl is set: the app uses one database, MariaDB on each server or the one at databaseUrl; remove databaseUrl \(pulumi config rm databaseUrl\) to use MariaDB on the servers, or remove database \(pulumi config rm database\) to keep the database at databaseUrl$/,
    ],
    [
      "three servers, each with its own SQLite",
      { ...aws, instanceCount: "3" },
      /^hbnb-stack:instanceCount = 3 with database "sqlite" \(a SQLite file on each server\): each server would keep data of its own; set database to rds for one database all servers share \(pulumi config set database rds\), or set instanceCount to 1$/,
    ],
    [
      "two servers, each with its own MariaDB",
      { ...aws, instanceCount: "2", database: "mariadb" },
      /^hbnb-stack:instanceCount = 2 with database "mariadb" \(MariaDB on each server\): each server would keep data of its own; set database to rds .*, or set instanceCount to 1$/,
    ],
    [
      "two servers, each with a SQLite file named in databaseUrl",
      { ...aws, instanceCount: "2", databaseUrl: "sqlite:////var/lib/hbnb/hbnb.db" },
      /^hbnb-stack:instanceCount = 2 with database "sqlite" \(a SQLite file on each server\)/,
    ],
    [
      "RDS on servers of your own",
      { ...existing, database: "rds" },
      /^hbnb-stack:database = "rds": RDS is made by the stack on AWS, but target is existing; set database to mariadb \(MariaDB on each server\), or to sqlite with databaseUrl naming your database server$/,
    ],
    [
      "RDS and a database URL, the URL not shown",
      { ...aws, database: "rds", databaseUrl: "mysql+mysqldb://hbnb:s3cret@db.internal/hbnb" },
      /^hbnb-stack:database = "rds" and hbnb-stack:databaseUrl is set: the app uses one database, the stack's RDS or the one at databaseUrl; remove databaseUrl \(pulumi config rm databaseUrl\) to use RDS, or remove database \(pulumi config rm database\) to keep the database at databaseUrl$/,
    ],
    [
      "a load balancer on servers of your own",
      { ...existing, loadBalancer: "true" },
      /^hbnb-stack:loadBalancer = "true": only applies to target aws, but target is existing; remove it \(pulumi config rm loadBalancer\), or set target to aws$/,
    ],
    [
      "deletion protection that is not a boolean",
      { ...aws, database: "rds", databaseDeletionProtection: "off" },
      /^hbnb-stack:databaseDeletionProtection = "off": expected true or false: true makes RDS refuse to delete the database; set false, pulumi up, then pulumi destroy$/,
    ],
    [
      "a data volume of no size",
      { ...aws, dataVolumeSize: "0" },
      /^hbnb-stack:dataVolumeSize = "0": expected an integer from 1 to 16384$/,
    ],
    [
      "an EC2 type as the database's class",
      { ...aws, database: "rds", databaseInstanceClass: "t4g.micro" },
      /^hbnb-stack:databaseInstanceClass = "t4g.micro": expected an RDS instance class such as db.t4g.micro or db.m7g.large$/,
    ],
    [
      "a release id that is not one",
      { ...aws, release: "v1.2" },
      /hbnb-stack:release = "v1.2": expected a release id such as r-0123456789ab/,
    ],
    [
      "a misspelt key",
      { ...aws, worker: "3" },
      /hbnb-stack:worker is not a setting of this stack; known settings: .*workers/,
    ],
  ])("%s", (_, raw, message) => {
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  test("every problem is reported at once", () => {
    const problems = problemsOf({ ...aws, sshPort: "0", workers: "x", ubuntuRelease: "18.04" });
    expect(problems).toHaveLength(3);
  });

  test("a private key never appears in a message", () => {
    const broken = privateKey.replace("-----END", "-----FIN");
    const problems = problemsOf({ ...aws, privateKey: broken, publicKey: privateKey });
    expect(problems.join("\n")).not.toContain(privateKey.split("\n")[1]);
    expect(problems.join("\n")).not.toContain(broken.split("\n")[1]);
  });
});

describe("autoscaling", () => {
  // Instances share one database, outside them: several on SQLite are refused (below).
  const shared = "mysql+mysqldb://hbnb:secret@db.example.com/hbnb";
  const scaling = (value: string): RawConfig => ({ ...aws, autoscaling: value, databaseUrl: shared });

  test("an object of three integers (as `pulumi config set --path` stores them); {} is none", () => {
    expect(parseSettings(scaling('{"min":1,"max":4,"cpuTarget":60}')).aws!.autoscaling).toEqual({
      min: 1,
      max: 4,
      cpuTarget: 60,
    });
    expect(parseSettings(scaling("{}")).aws!.autoscaling).toBeUndefined();
    expect(parseSettings(aws).aws!.autoscaling).toBeUndefined();
  });

  test.each([
    [
      "min above max",
      '{"min":5,"max":2,"cpuTarget":60}',
      'hbnb-stack:autoscaling = {"min":5,"max":2,"cpuTarget":60}: min (5) is above max (2); the group needs min <= max: lower min or raise max',
    ],
    [
      "a group of 21",
      '{"min":1,"max":21,"cpuTarget":60}',
      'hbnb-stack:autoscaling.max = 21: expected an integer from 1 to 20; set it with pulumi config set --path \'autoscaling.min\' 1 (and autoscaling.max, autoscaling.cpuTarget), or {"min": 1, "max": 4, "cpuTarget": 60}',
    ],
    [
      "no instance at all",
      '{"min":0,"max":2,"cpuTarget":60}',
      'hbnb-stack:autoscaling.min = 0: expected an integer from 1 to 20; set it with pulumi config set --path \'autoscaling.min\' 1 (and autoscaling.max, autoscaling.cpuTarget), or {"min": 1, "max": 4, "cpuTarget": 60}',
    ],
    [
      "a CPU target of 95 %",
      '{"min":1,"max":2,"cpuTarget":95}',
      'hbnb-stack:autoscaling.cpuTarget = 95: expected an integer from 10 to 90; set it with pulumi config set --path \'autoscaling.min\' 1 (and autoscaling.max, autoscaling.cpuTarget), or {"min": 1, "max": 4, "cpuTarget": 60}',
    ],
    [
      "a missing field",
      '{"min":1,"max":2}',
      'hbnb-stack:autoscaling.cpuTarget = null: expected an integer from 10 to 90; set it with pulumi config set --path \'autoscaling.min\' 1 (and autoscaling.max, autoscaling.cpuTarget), or {"min": 1, "max": 4, "cpuTarget": 60}',
    ],
    [
      "a field it does not know",
      '{"min":1,"max":2,"cpuTarget":50,"desired":2}',
      "hbnb-stack:autoscaling.desired = 2: not a field of autoscaling; known: min, max, cpuTarget",
    ],
    [
      "not an object",
      "[1,2]",
      'hbnb-stack:autoscaling = [1,2]: expected an object such as {"min": 1, "max": 4, "cpuTarget": 60}',
    ],
  ])("%s: one clear problem", (_, value, problem) => {
    expect(problemsOf(scaling(value))).toEqual([problem]);
  });

  test("with instanceCount too: the group decides how many servers run", () => {
    expect(problemsOf({ ...scaling('{"min":1,"max":2,"cpuTarget":50}'), databaseUrl: "" })).toEqual([
      'hbnb-stack:autoscaling.max = 2 with database "sqlite" (a SQLite file on each server): each server would keep data of its own; set database to rds for one database all servers share (pulumi config set database rds), or set autoscaling.max to 1',
    ]);
    expect(problemsOf({ ...scaling('{"min":1,"max":2,"cpuTarget":50}'), database: "rds" })).toEqual([
      expect.stringContaining('hbnb-stack:database = "rds" and hbnb-stack:databaseUrl is set'),
    ]);
    expect(problemsOf({ ...scaling('{"min":1,"max":2,"cpuTarget":50}'), instanceCount: "3" })).toEqual([
      'hbnb-stack:instanceCount = "3" and hbnb-stack:autoscaling is set: the group\'s min and max decide how many servers run; remove instanceCount (pulumi config rm instanceCount), or remove autoscaling (pulumi config rm autoscaling)',
    ]);
  });

  test("on database rds a group of several, always behind the load balancer; MariaDB on each server refused", () => {
    const group = { ...scaling('{"min":1,"max":4,"cpuTarget":50}'), databaseUrl: "" };
    expect(problemsOf({ ...group, database: "rds" })).toEqual([]);
    expect(parseSettings({ ...group, database: "rds" }).aws!.loadBalancer).toBe(true);
    expect(parseSettings({ ...aws, autoscaling: '{"min":1,"max":1,"cpuTarget":50}' }).aws!.loadBalancer).toBe(true);
    expect(problemsOf({ ...group, database: "mariadb" })).toEqual([
      'hbnb-stack:autoscaling.max = 4 with database "mariadb" (MariaDB on each server): each server would keep data of its own; set database to rds for one database all servers share (pulumi config set database rds), or set autoscaling.max to 1',
    ]);
  });

  test("on servers you already have: an AWS-only setting", () => {
    expect(problemsOf({ ...existing, autoscaling: '{"min":1,"max":2,"cpuTarget":50}' })).toEqual([
      'hbnb-stack:autoscaling = "{\\"min\\":1,\\"max\\":2,\\"cpuTarget\\":50}": only applies to target aws, but target is existing; remove it (pulumi config rm autoscaling), or set target to aws',
    ]);
  });
});
