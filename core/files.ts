import * as fs from "fs";
import * as path from "path";

/**
 * The text of everything under files/ that the plan sends to a server: step scripts and config
 * templates. Read once here, so that the plan itself stays a pure function of its inputs.
 */
export interface ServerFiles {
  /** Step scripts by name ("users" → files/scripts/users.sh), lib.sh included. */
  scripts: Record<string, string>;
  /** Templates by path under files/ ("nginx/site.conf.njk"). */
  templates: Record<string, string>;
}

export const FILES_DIR = path.join(__dirname, "..", "files");

export function loadServerFiles(dir = FILES_DIR): ServerFiles {
  const scripts: Record<string, string> = {};
  for (const name of fs.readdirSync(path.join(dir, "scripts"))) {
    if (name.endsWith(".sh")) scripts[name.slice(0, -3)] = fs.readFileSync(path.join(dir, "scripts", name), "utf8");
  }
  const templates: Record<string, string> = {};
  for (const sub of ["gunicorn", "nginx", "systemd", "tools", "hardening", "mariadb", "haproxy"]) {
    for (const name of fs.readdirSync(path.join(dir, sub))) {
      if (name.endsWith(".njk")) templates[`${sub}/${name}`] = fs.readFileSync(path.join(dir, sub, name), "utf8");
    }
  }
  return { scripts, templates };
}
