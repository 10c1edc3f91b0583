import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AwsHosts } from "./components/aws-hosts";
import { buildBundle } from "./components/bundle";
import { HostDeploy } from "./components/deploy";
import { loadServerFiles } from "./components/files";
import { Host } from "./components/host";
import { buildPlan } from "./components/plan";
import { parseSettings, PROJECT, RawConfig } from "./components/settings";

// Settings first: a bad value stops the program here, before any resource is registered.
const prefix = `${PROJECT}:`;
const raw: RawConfig = Object.fromEntries(
  Object.entries(pulumi.runtime.allConfig())
    .filter(([key]) => key.startsWith(prefix))
    .map(([key, value]) => [key.slice(prefix.length), value]),
);
const settings = parseSettings(raw);
const stack = pulumi.getStack();
const privateKey = new pulumi.Config(PROJECT).requireSecret("privateKey");

const hosts: Host[] =
  settings.target === "aws" && settings.aws
    ? new AwsHosts(`${PROJECT}-${stack}`, {
        ...settings.aws,
        count: settings.aws.instanceCount,
        sshPort: settings.ssh.port,
        tags: { Project: PROJECT, "hbnb-stack:stack": stack },
      }).hosts
    : (settings.hosts ?? []).map((address, i) => ({
        name: `server-${i + 1}`,
        address,
        user: settings.ssh.user,
        port: settings.ssh.port,
      }));

const plan = buildPlan(settings, buildBundle(), loadServerFiles());
// Flask's SECRET_KEY: made once per stack, the same on every server (a session signed by one
// is valid on the others), kept encrypted in the state; `pulumi up --replace` on it rotates it.
const flaskSecretKey = new random.RandomPassword("flask-secret-key", { length: 64, special: false });
const secrets = { flaskSecretKey: flaskSecretKey.result };
// On servers you already have, `pulumi destroy` takes the plan back out (components/deploy.ts).
const undoOnDestroy = settings.target === "existing";
const deploys = hosts.map((host) => new HostDeploy(host.name, { host, plan, privateKey, secrets, undoOnDestroy }));

const addresses = hosts.map((host) => pulumi.output(host.address));
export const publicIps = addresses;
export const publicIp = addresses[0];
export const urls = addresses.map((address) => pulumi.interpolate`http://${address}/`);
export const url = urls[0];
export const sshCommands = hosts.map(
  (host) => pulumi.interpolate`ssh -i ~/.ssh/hbnb -p ${host.port} ${host.user}@${host.address}`,
);
export const sshCommand = sshCommands[0];
export const release = deploys[0].release;
