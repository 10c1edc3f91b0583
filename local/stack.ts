import * as fs from "fs";
import { buildBundle } from "../components/bundle";
import { loadServerFiles } from "../components/files";
import { buildPlan, Plan } from "../components/plan";
import { parseSettings, RawConfig, Settings } from "../components/settings";
import { LocalHost } from "./hosts";

/**
 * The embedded default stack: the settings `npm start` uses. It is the stack of a user with a
 * server of their own (target existing), pointed at a disposable local server, with every
 * other value at its default from Pulumi.yaml. Overrides are raw config, as in a stack file.
 */
export function localSettings(host: LocalHost, overrides: RawConfig = {}): Settings {
  return parseSettings({
    target: "existing",
    hosts: JSON.stringify([host.address]),
    sshUser: host.user,
    sshPort: String(host.port),
    privateKey: fs.readFileSync(host.key, "utf8"),
    ...overrides,
  });
}

export function localPlan(settings: Settings): Plan {
  return buildPlan(settings, buildBundle(), loadServerFiles());
}
