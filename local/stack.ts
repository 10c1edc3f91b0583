import * as fs from "fs";
import { parseSettings, RawConfig, Settings } from "../core/settings";
import { LocalHost } from "./hosts";

/**
 * The settings of a local server. Without overrides, the embedded default stack `npm start` has
 * always used: the stack of a user with a server of their own (target existing), pointed at a
 * disposable local server, with every other value at its default from Pulumi.yaml. Overrides
 * are raw config, as in a stack file (local/stack-file.ts reads one for them).
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
