import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { databaseTls, shareSecrets } from "../../local/secrets";

/** The local driver's stand-ins for the database host's TLS (local/secrets.ts), checked by openssl itself. */
let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-tls-test-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const secrets = (d: string) =>
  JSON.parse(fs.readFileSync(path.join(d, "secrets.json"), "utf8")) as Record<string, string>;
const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, encoding: "utf8", stdio: "pipe" });

test("a CA and the host's certificate for its address, signed by it, made once and kept", () => {
  databaseTls(dir, "10.213.1.2");
  const made = secrets(dir);
  fs.writeFileSync(path.join(dir, "ca.pem"), `${made.databaseCa}\n`);
  fs.writeFileSync(path.join(dir, "server.pem"), `${made.databaseCert}\n`);
  expect(openssl(["verify", "-CAfile", "ca.pem", "server.pem"])).toBe("server.pem: OK\n");
  expect(openssl(["x509", "-in", "server.pem", "-noout", "-ext", "subjectAltName"])).toContain("IP Address:10.213.1.2");
  // The key is the certificate's.
  fs.writeFileSync(path.join(dir, "server.key"), `${made.databaseKey}\n`);
  expect(openssl(["rsa", "-in", "server.key", "-noout", "-modulus"])).toBe(
    openssl(["x509", "-in", "server.pem", "-noout", "-modulus"]),
  );
  // The stack's other secrets are there too; a second call changes nothing.
  expect(Object.keys(made).sort()).toEqual(
    ["apiToken", "databaseCa", "databaseCert", "databaseKey", "databasePassword", "flaskSecretKey"].sort(),
  );
  databaseTls(dir, "10.213.1.2");
  expect(secrets(dir)).toEqual(made);
  expect(fs.statSync(path.join(dir, "secrets.json")).mode & 0o777).toBe(0o600);
});

test("a DNS name goes in as one; shareSecrets gives the others the same secrets", () => {
  databaseTls(dir, "db.example.com");
  fs.writeFileSync(path.join(dir, "server.pem"), `${secrets(dir).databaseCert}\n`);
  expect(openssl(["x509", "-in", "server.pem", "-noout", "-ext", "subjectAltName"])).toContain("DNS:db.example.com");
  const other = path.join(dir, "other");
  shareSecrets(dir, [other]);
  expect(secrets(other)).toEqual(secrets(dir));
  expect(fs.statSync(path.join(other, "secrets.json")).mode & 0o777).toBe(0o600);
});
