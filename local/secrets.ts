import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SECRETS } from "../core/plan";

/**
 * The local driver's stand-in for the stack's @pulumi/random secrets: made once per server,
 * kept beside its other state in a file only root can read, gone with the server.
 */
export function hostSecrets(stateDir: string): Record<string, string> {
  const file = path.join(stateDir, "secrets.json");
  const known: Record<string, string> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  const missing = SECRETS.filter((name) => !known[name]);
  if (missing.length > 0) {
    // Letters and digits only, like RandomPassword with special: false: safe in any file format.
    for (const name of missing)
      known[name] = crypto.randomBytes(48).toString("base64url").replace(/[-_]/g, "").slice(0, 64);
    keepHostSecrets(stateDir, known);
  }
  return known;
}

/**
 * Gives a server the secrets VALUES (hostSecrets of the one it replaces): the stack's secrets
 * are the stack's, not an instance's, and a replaced instance on AWS gets the same ones.
 */
export function keepHostSecrets(stateDir: string, values: Record<string, string>): void {
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(path.join(stateDir, "secrets.json"), JSON.stringify(values, null, 2), { mode: 0o600 });
}

/**
 * Several local servers of one stack (web servers, their load balancer and database host): the
 * secrets of the first, made if need be, become the others' too, as the stack's one set of
 * RandomPasswords reaches every server.
 */
export function shareSecrets(from: string, to: string[]): void {
  hostSecrets(from);
  for (const dir of to) {
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(from, "secrets.json"), path.join(dir, "secrets.json"));
  }
}

/**
 * The local driver's stand-in for the database host's TLS (components/database-tls.ts, which
 * makes them with @pulumi/tls): a CA of its own and HOST's certificate and key signed by it, made
 * once with openssl on this machine and kept with the other secrets of the server in STATEDIR.
 */
export function databaseTls(stateDir: string, host: string): void {
  const file = path.join(stateDir, "secrets.json");
  const known = hostSecrets(stateDir);
  if (known.databaseCa) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-tls-"));
  try {
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    openssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "3650",
      "-subj",
      `/CN=hbnb-stack database CA for ${host}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    );
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      `/CN=${host}`,
    );
    const san = /^[\d.]+$/.test(host) || host.includes(":") ? `IP:${host}` : `DNS:${host}`;
    fs.writeFileSync(
      path.join(dir, "ext.cnf"),
      `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`,
    );
    openssl(
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "3650",
      "-extfile",
      "ext.cnf",
    );
    const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8").trim();
    const all = {
      ...known,
      databaseCa: read("ca.pem"),
      databaseCert: read("server.pem"),
      databaseKey: read("server.key"),
    };
    fs.writeFileSync(file, JSON.stringify(all, null, 2), { mode: 0o600 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
