import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AwsAutoscaling } from "./components/aws-autoscaling";
import { AwsDatabase } from "./components/aws-database";
import { AwsFront } from "./components/aws-front";
import { DatabaseTls } from "./components/database-tls";
import { AwsHosts } from "./components/aws-hosts";
import { healthCheckOf } from "./components/aws-load-balancer";
import { HostDeploy, Reachability } from "./components/deploy";
import { loadServerFiles } from "./core/files";
import { Host } from "./components/host";
import { leaveStep, rejoinStep } from "./core/alb-drain";
import { buildBalancerPlan, drainStep, readyStep } from "./core/balancer";
import { buildDatabaseHostPlan } from "./core/database-host";
import { buildPlan } from "./core/plan";
import { parseSettings, PROJECT, RawConfig, Settings } from "./core/settings";
import { sourceBundle } from "./source/fetch";

// Settings first: a bad value stops the program here, before any resource is registered.
const prefix = `${PROJECT}:`;
const raw: RawConfig = Object.fromEntries(
  Object.entries(pulumi.runtime.allConfig())
    .filter(([key]) => key.startsWith(prefix))
    .map(([key, value]) => [key.slice(prefix.length), value]),
);
const settings = parseSettings(raw);
// Then the app, on this machine (a git source into .build/sources): a repository or a ref that
// cannot be fetched stops the program here too. The servers get it in the release archive only.
const bundle = sourceBundle(settings.app);
const stack = pulumi.getStack();
// The key as settings read it (one trailing newline, which `pulumi config set ... < file` strips),
// kept a secret as the CLI handed it.
const privateKey = pulumi.secret(settings.ssh.privateKey);

const plan = buildPlan(settings, bundle, loadServerFiles());
// Behind AWS's load balancer: what its target group checks, and HTTPS there when a domain is set.
const healthCheck = healthCheckOf(plan.layout);
const https =
  settings.aws?.loadBalancer && settings.aws.domains.length > 0
    ? { domains: settings.aws.domains, hostedZone: settings.aws.hostedZone }
    : undefined;
// On AWS: the instances, their data volumes and, with several, the load balancer (none with
// autoscaling: the group's instances run the plan themselves, below).
const awsHosts =
  settings.target === "aws" && settings.aws && !settings.aws.autoscaling
    ? new AwsHosts(`${PROJECT}-${stack}`, {
        ...settings.aws,
        count: settings.aws.instanceCount,
        sshPort: settings.ssh.port,
        sshUser: settings.ssh.user,
        dataDir: settings.app.dataDir,
        loadBalancer: settings.aws.loadBalancer ? healthCheck : undefined,
        https,
        tags: { Project: PROJECT, "hbnb-stack:stack": stack },
      })
    : undefined;
// Autoscaling: the load balancer and the instances' security group first, which the database
// admits; the group itself comes last, with the database's endpoint among its secrets.
const front =
  settings.aws?.autoscaling &&
  new AwsFront(`${PROJECT}-${stack}`, {
    adminCidrs: settings.aws.adminCidrs,
    sshPort: settings.ssh.port,
    healthCheck,
    https,
    tags: { Project: PROJECT, "hbnb-stack:stack": stack },
  });
const servers = awsHosts ?? front;
const hosts: Host[] =
  awsHosts?.hosts ??
  (settings.hosts ?? []).map((address, i) => ({
    name: `server-${i + 1}`,
    address,
    user: settings.ssh.user,
    port: settings.ssh.port,
  }));
// Flask's SECRET_KEY: made once per stack, the same on every server (a session signed by one
// is valid on the others), kept encrypted in the state; `pulumi up --replace` on it rotates it.
const flaskSecretKey = new random.RandomPassword("flask-secret-key", { length: 64, special: false });
// The API's write token: the same on every server, a secret output for the people and scripts
// that write (`pulumi stack output apiToken --show-secrets`); `--replace` on it rotates it.
const apiTokenPassword = new random.RandomPassword("api-token", { length: 48, special: false });
const secrets: Record<string, pulumi.Output<string>> = {
  flaskSecretKey: flaskSecretKey.result,
  apiToken: apiTokenPassword.result,
};
if (settings.app.database !== "sqlite") {
  // The password of the app's MariaDB user (database mariadb or rds; none otherwise): the same on
  // every server, in the app's environment only; `pulumi up --replace` on it sets a new one.
  secrets.databasePassword = new random.RandomPassword("database-password", { length: 32, special: false }).result;
}
if (settings.app.database === "rds" && servers && settings.aws) {
  // The shared database; its endpoint reaches the app's environment as the password does.
  secrets.databaseHost = new AwsDatabase(`${PROJECT}-${stack}-db`, {
    serversGroupId: servers.securityGroupId,
    subnetIds: servers.subnetIds,
    instanceClass: settings.aws.databaseInstanceClass,
    password: secrets.databasePassword,
    deletionProtection: settings.aws.databaseDeletionProtection,
    finalSnapshot: settings.aws.finalSnapshot,
    tags: { Project: PROJECT, "hbnb-stack:stack": stack },
  }).address;
}
if (settings.databaseHost) {
  // The database host's CA, certificate and key: MariaDB speaks TLS to the web servers only.
  const databaseTls = new DatabaseTls("database-tls", { host: settings.databaseHost });
  secrets.databaseCa = databaseTls.caCert;
  secrets.databaseCert = databaseTls.cert;
  secrets.databaseKey = databaseTls.key;
}
const reachability = reachabilityOf(settings);
// On servers you already have, `pulumi destroy` takes the plan back out (components/deploy.ts).
const undoOnDestroy = settings.target === "existing";
// Servers you already have behind loadBalancerHost: it runs HAProxy (its own plan, first), and
// the others the app; when it is one of hosts, it runs HAProxy only.
const balancerHost: Host | undefined = settings.loadBalancerHost
  ? { name: "load-balancer", address: settings.loadBalancerHost, user: settings.ssh.user, port: settings.ssh.port }
  : undefined;
const serverFiles = loadServerFiles();
// Servers you already have with databaseHost: it runs MariaDB for the web servers (its own plan,
// before theirs: their schema step needs it); when it is one of hosts, it runs MariaDB only.
const databaseHost: Host | undefined = settings.databaseHost
  ? { name: "database", address: settings.databaseHost, user: settings.ssh.user, port: settings.ssh.port }
  : undefined;
const nonWeb = [settings.loadBalancerHost, settings.databaseHost];
const webAddresses = hosts.filter((host) => !nonWeb.includes(String(host.address)));
const databaseDeploy =
  databaseHost &&
  new HostDeploy(databaseHost.name, {
    host: databaseHost,
    plan: buildDatabaseHostPlan(
      settings,
      plan,
      webAddresses.map((host) => String(host.address)),
      serverFiles,
    ),
    privateKey,
    secrets,
    reachability,
    undoOnDestroy,
  });
const webHosts = webAddresses.map((host) =>
  databaseDeploy ? { ...host, dependsOn: [...(host.dependsOn ?? []), ...databaseDeploy.steps] } : host,
);
const balancerDeploy =
  balancerHost &&
  new HostDeploy(balancerHost.name, {
    host: balancerHost,
    plan: buildBalancerPlan(
      settings,
      plan,
      webHosts.map((host) => ({ name: host.name, address: String(host.address) })),
      serverFiles,
    ),
    privateKey,
    secrets: {},
    reachability,
    undoOnDestroy,
  });
// One server after the other takes the new release (rollAfter: the previous one's switch; behind
// HAProxy, the previous one drained, switched and UP again; behind AWS's load balancer with
// several servers, the previous one out of its rotation, switched and back in: core/alb-drain.ts).
const awsRoll = awsHosts?.loadBalancer !== undefined && webHosts.length > 1;
const deploys: HostDeploy[] = [];
const schemaStep = plan.steps.findIndex((step) => step.name === "database");
for (const webHost of webHosts) {
  const rollAfter = deploys[deploys.length - 1]?.rolled;
  // One database for all (databaseHost): one server at a time makes the schema and loads the demo
  // data, so that two never create the same table or row at once; the next starts after it.
  const schemaAfter =
    settings.databaseHost && schemaStep >= 0 ? deploys[deploys.length - 1]?.steps[schemaStep] : undefined;
  const host = schemaAfter ? { ...webHost, dependsOn: [...(webHost.dependsOn ?? []), schemaAfter] } : webHost;
  const server = { name: host.name, address: String(host.address) };
  const balancer =
    balancerDeploy && balancerHost
      ? {
          host: balancerHost,
          drain: drainStep(serverFiles, server),
          ready: readyStep(serverFiles, server),
          after: balancerDeploy.steps[balancerDeploy.steps.length - 1],
        }
      : awsRoll
        ? { host, drain: leaveStep(serverFiles), ready: rejoinStep(serverFiles, healthCheck.matcher) }
        : undefined;
  deploys.push(
    new HostDeploy(host.name, { host, plan, privateKey, secrets, reachability, undoOnDestroy, rollAfter, balancer }),
  );
}

// Autoscaling: an Auto Scaling Group whose instances run the plan at first boot from their user
// data; no server is deployed over SSH (hosts is empty then).
const autoscaling =
  settings.aws?.autoscaling &&
  front &&
  new AwsAutoscaling(`${PROJECT}-${stack}`, {
    ...settings.aws,
    ...settings.aws.autoscaling,
    plan,
    secrets,
    sshPort: settings.ssh.port,
    sshUser: settings.ssh.user,
    securityGroupIds: [front.securityGroupId],
    targetGroupArns: [front.loadBalancer.targetGroup.arn],
    tags: { Project: PROJECT, "hbnb-stack:stack": stack },
  });
export const autoscalingGroup = autoscaling ? autoscaling.groupName : undefined;

const addresses = hosts.map((host) => pulumi.output(host.address));
export const publicIps = addresses;
export const publicIp = addresses[0];
export const urls = addresses.map((address) => pulumi.interpolate`http://${address}/`);
// Behind a load balancer, the site's address is the load balancer's (https://<domain>/ with HTTPS).
const awsBalancer = servers?.loadBalancer;
export const url = awsBalancer ? awsBalancer.url : balancerHost ? `http://${settings.loadBalancerHost}/` : urls[0];
export const sshCommands = hosts.map(
  (host) => pulumi.interpolate`ssh -i ~/.ssh/hbnb -p ${host.port} ${host.user}@${host.address}`,
);
export const sshCommand = sshCommands[0];
export const release = autoscaling ? plan.release : deploys[0].release;
/** Send it as `Authorization: Bearer <token>` to write through the API (apiWriteAccess token). */
export const apiToken = pulumi.secret(apiTokenPassword.result);

/** How long the first SSH may take on this target, and the causes to name when it never answers. */
function reachabilityOf(settings: Settings): Reachability {
  const { port, user } = settings.ssh;
  const key = `the key: if SSH answers but the next step fails with "unable to authenticate", privateKey is not the key of sshUser ${user} on the server`;
  if (settings.aws) {
    return {
      // A new instance boots and runs cloud-init before SSH answers: minutes, not seconds.
      seconds: 600,
      causes: [
        `your address is not in adminCidrs (${settings.aws.adminCidrs.join(", ")}): find it with curl -s https://checkip.amazonaws.com, then pulumi config set --path 'adminCidrs[0]' "<address>/32"`,
        `the SSH port: sshd on the instance does not listen on sshPort ${port}`,
        `${key} (on AWS: the pair of publicKey)`,
      ],
    };
  }
  return {
    // A server of your own is up already.
    seconds: 120,
    causes: [
      `a firewall (the server's, or your provider's) does not let this machine reach port ${port}`,
      `the SSH port: sshd does not listen on sshPort ${port} (after a change of sshPort, it must listen on the new port before pulumi up)`,
      `${key} (not in ~${user}/.ssh/authorized_keys)`,
    ],
  };
}
