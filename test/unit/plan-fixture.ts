import * as fs from "fs";
import * as path from "path";
import { Bundle } from "../../core/bundle";
import { loadServerFiles } from "../../core/files";
import { buildPlan, Plan } from "../../core/plan";
import { parseSettings, RawConfig } from "../../core/settings";

/**
 * The plan the unit tests look at: a server you already have, the test key pair, and a release
 * whose id and digest are fixed, so that no test depends on the app's files of the day.
 */
export const privateKey = fs.readFileSync(path.join(__dirname, "..", "fixtures", "id_ed25519"), "utf8");
export const files = loadServerFiles();
export const bundle: Bundle = {
  release: "r-0123456789ab",
  archive: "/build/r-0123456789ab.tar.gz",
  sha256: "a".repeat(64),
  files: [],
};
/** The files of a classic repository that the classic layout looks for (its release's paths). */
export const CLASSIC_FILES = [
  "api/v1/app.py",
  "web_dynamic/100-hbnb.py",
  "web_dynamic/2-hbnb.py",
  "web_dynamic/static/styles/4-common.css",
  "web_flask/0-hello_route.py",
  "web_flask/6-number_odd_or_even.py",
];
export const base: RawConfig = { target: "existing", hosts: '["192.0.2.10"]', privateKey };

/** The plan of the base stack with RAW's values over it (raw config, as in a stack file). */
export const planOf = (raw: RawConfig = {}, b: Bundle = bundle): Plan =>
  buildPlan(parseSettings({ ...base, ...raw }), b, files);
