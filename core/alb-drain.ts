import { ServerFiles } from "./files";
import { BALANCER_CHECK_PATH, DRAIN_MARKER, Step, step } from "./plan";

/**
 * The rolling deploy behind AWS's load balancer: each server leaves its rotation before its
 * switch and rejoins after it (files/scripts/leave.sh, rejoin.sh), one server at a time.
 *
 * Why on the server, through the health check, and not through the ELB API (deregister-targets,
 * then `aws elbv2 wait target-deregistered`): the ELB API needs the AWS CLI (or an SDK) and
 * credentials where `pulumi up` runs, as a local command beside the provider, and cannot be
 * tried anywhere but in AWS. The health check is the load balancer's own way of taking a server
 * out: Nginx answers it 503 while the drain marker exists (files/nginx/guards.conf.njk), and the
 * load balancer's thresholds bound how long it takes to notice, both ways. It needs nothing on
 * the user's machine, runs over the same SSH as every step, and its scripts run on any local
 * server. The price: a fixed wait per server (the window below, twice) instead of the API's
 * report, and in-flight requests finish through the switch's graceful reload rather than the
 * deregistration delay (which still covers an instance the group or a replacement takes away).
 */

/** The target group's health check (components/aws-load-balancer.ts): every 10 s, two failures take a server out, two passes bring it back. */
export const HEALTH_CHECK = { interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 2 } as const;

/**
 * The longest the load balancer takes to act on a server's new answer on the health path: the
 * check under way at the change may still get the old answer, then THRESHOLD checks INTERVAL s
 * apart, the last answered within TIMEOUT s. Each of its nodes checks on its own; all of them
 * have acted within this.
 */
export const balancerWindow = (threshold: number): number =>
  HEALTH_CHECK.interval * (threshold + 1) + HEALTH_CHECK.timeout;

/** How long a switched server may take to answer its health path healthy through Nginx. */
export const REJOIN_WAIT = 60;

/** Where the steps ask Nginx, on the server itself (the site answers loopback under any serverName). */
const CHECK_URL = `http://127.0.0.1${BALANCER_CHECK_PATH}`;

/** Before a server's switch: out of the load balancer's rotation. */
export function leaveStep(files: ServerFiles): Step {
  return step(files, "leave", "leave the load balancer's rotation (drained) before the switch", {
    HBNB_DRAIN_MARKER: DRAIN_MARKER,
    HBNB_CHECK_URL: CHECK_URL,
    HBNB_BALANCER_WINDOW: balancerWindow(HEALTH_CHECK.unhealthyThreshold),
  });
}

/** After a server's switch: back in rotation, healthy by the target group's MATCHER ("200", "200-499"). */
export function rejoinStep(files: ServerFiles, matcher: string): Step {
  return step(files, "rejoin", "rejoin the load balancer's rotation once healthy", {
    HBNB_DRAIN_MARKER: DRAIN_MARKER,
    HBNB_CHECK_URL: CHECK_URL,
    HBNB_BALANCER_WINDOW: balancerWindow(HEALTH_CHECK.healthyThreshold),
    HBNB_HEALTHY_CODES: matcher.includes("-") ? matcher : `${matcher}-${matcher}`,
    HBNB_READY_WAIT: REJOIN_WAIT,
  });
}
