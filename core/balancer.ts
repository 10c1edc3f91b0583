import { ServerFiles } from "./files";
import { checkPath, Plan, Step, step, undo } from "./plan";
import { renderTemplate } from "./render";
import { Settings } from "./settings";

/**
 * The load balancer's plan (settings loadBalancerHost): HAProxy from the distribution in front of
 * the web servers, round robin, health checks through Nginx to the app, and the runtime API the
 * drivers drain a server through during a rolling deploy (drainCommand, readyCommand). Pure, as
 * the web servers' plan (core/plan.ts), and made of the same steps: every driver runs it as it
 * runs theirs.
 */

/** One web server behind HAProxy: its name in the backend (`web/<name>`) and its address. */
export interface WebServer {
  name: string;
  address: string;
}

export interface BalancerPlan {
  /** The rendered /etc/haproxy/haproxy.cfg. */
  config: string;
  servers: WebServer[];
  steps: Step[];
}

export const HAPROXY_CONFIG_PATH = "/etc/haproxy/haproxy.cfg";
/** The runtime API's socket (the config's `stats socket`). */
export const HAPROXY_SOCKET = "/run/haproxy/admin.sock";
/** The backend of the web servers in the config. */
export const BACKEND = "web";
/**
 * Packages of the load balancer: HAProxy; socat, which the drivers talk to the runtime API with;
 * ufw for the firewall step, curl as on the web servers.
 */
export const BALANCER_PACKAGES = ["haproxy", "socat", "ufw", "curl"];

// What HAProxy takes as a server name (its config manual, "server <name>": letters, digits and
// - _ . :); a host's name in the stack is one of them.
const SERVER_NAME = /^[A-Za-z0-9_.:-]+$/;

/** The plan of the load balancer host, in front of SERVERS, which run WEB (the web servers' plan). */
export function buildBalancerPlan(
  settings: Settings,
  web: Plan,
  servers: WebServer[],
  files: ServerFiles,
): BalancerPlan {
  for (const server of servers) {
    if (!SERVER_NAME.test(server.name))
      throw new Error(`web server name ${JSON.stringify(server.name)}: HAProxy takes letters, digits and - _ . : only`);
  }
  if (servers.length === 0) throw new Error("a load balancer needs at least one web server behind it");
  // Nginx answers serverName only (any name when it is _): the health check asks for its first.
  const name = settings.app.serverName.split(/\s+/)[0];
  const config = renderTemplate(files, "haproxy/haproxy.cfg.njk", {
    servers,
    checkPath: checkPath(web.layout),
    checkHost: name === "_" ? "localhost" : name,
  });
  const steps = [
    step(files, "wait", "wait for boot, cloud-init and apt", {}),
    step(files, "packages", "install HAProxy and socat", { HBNB_PACKAGES: BALANCER_PACKAGES.join(" ") }),
    {
      ...step(files, "haproxy", `HAProxy in front of ${servers.map((s) => s.name).join(", ")}`, {
        HBNB_HAPROXY_PATH: HAPROXY_CONFIG_PATH,
        HBNB_HAPROXY_CONFIG: config,
      }),
      undo: undo(files, "haproxy", "stop HAProxy; the distribution's haproxy.cfg back", {
        HBNB_HAPROXY_PATH: HAPROXY_CONFIG_PATH,
      }),
    },
    // HTTP only: nothing on the load balancer listens on 443.
    {
      ...step(files, "firewall", "allow SSH and HTTP in ufw", { HBNB_SSH_PORT: settings.ssh.port, HBNB_HTTPS: "no" }),
      undo: undo(files, "firewall", "remove the ufw rules of the stack", { HBNB_SSH_PORT: settings.ssh.port }),
    },
  ];
  return { config, servers, steps };
}

/**
 * How long a drained server may take to finish its requests: Gunicorn's graceful_timeout (20 s)
 * and Nginx's wait for it, with room; a request longer than that is one Gunicorn kills anyway.
 */
export const DRAIN_WAIT = 90;
/** How long a switched server may take to pass HAProxy's health checks again (rise 2, inter 2 s: 4 s). */
export const READY_WAIT = 60;

const runtimeValues = (server: WebServer) => ({
  HBNB_HAPROXY_SOCKET: HAPROXY_SOCKET,
  HBNB_BACKEND: BACKEND,
  HBNB_SERVER: server.name,
});

/**
 * Run on the load balancer before a rolling deploy switches SERVER: HAProxy's runtime API sets it
 * to drain, and the step returns once it serves no request (files/scripts/drain.sh).
 */
export function drainStep(files: ServerFiles, server: WebServer): Step {
  return step(files, "drain", `drain ${BACKEND}/${server.name} in HAProxy`, {
    ...runtimeValues(server),
    HBNB_DRAIN_WAIT: DRAIN_WAIT,
  });
}

/** Run on the load balancer after SERVER is switched: back to ready, and UP in HAProxy (files/scripts/ready.sh). */
export function readyStep(files: ServerFiles, server: WebServer): Step {
  return step(files, "ready", `put ${BACKEND}/${server.name} back in HAProxy`, {
    ...runtimeValues(server),
    HBNB_READY_WAIT: READY_WAIT,
  });
}
