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
