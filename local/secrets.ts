import * as crypto from "crypto";
import * as fs from "fs";
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
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(known, null, 2), { mode: 0o600 });
  }
  return known;
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
