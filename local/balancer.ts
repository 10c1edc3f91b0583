import {
  BACKEND,
  buildBalancerPlan,
  drainStep,
  HAPROXY_SOCKET,
  readyStep,
  READY_WAIT,
  WebServer,
} from "../core/balancer";
import { ServerFiles } from "../core/files";
import { Plan, Step } from "../core/plan";
import { stateFile } from "./hosts";
import { runPlan } from "./runner";
import { LocalServer } from "./server";
import { ssh, SshTarget } from "./ssh";

/**
 * The local driver's rolling deploy through the load balancer (settings loadBalancerHost): one
 * web server at a time is drained in HAProxy, deployed, and put back once HAProxy reports it UP;
 * then the next. The drain and ready steps are the ones the Pulumi driver runs around each
 * server's switch (components/deploy.ts), run here over SSH on the load balancer.
 */

/** A web server of the roll, and what deploys it (LocalServer.deploy with its plan). */
export interface RollMember {
  server: WebServer;
  deploy: () => Promise<unknown>;
}

/** The roll stopped at SERVER: the servers in `untouched` were left on the release they had. */
export class RollFailed extends Error {
  constructor(
    readonly server: string,
    readonly reason: string,
    readonly untouched: string[],
  ) {
    super(
      `rolling deploy stopped at ${server}: ${reason}\n` +
        (untouched.length > 0
          ? `not deployed, still on their release: ${untouched.join(", ")}`
          : "no server left after it"),
    );
    this.name = "RollFailed";
  }
}

/** Fields of HAProxy's `show stat` CSV (its management guide, "show stat"), 1-based as backendStat gives them. */
export const STAT_FIELDS = { scur: 5, stot: 8, status: 18 };

/** The `show stat` lines of the web servers behind LB's HAProxy: name → its fields (1-based). */
export async function backendStat(lb: LocalServer): Promise<Record<string, string[]>> {
  const out = await lb.run(`echo "show stat" | sudo -n socat stdio unix-connect:${HAPROXY_SOCKET}`);
  const rows = out.split("\n").map((line) => ["", ...line.split(",")]);
  return Object.fromEntries(rows.filter((r) => r[1] === BACKEND && r[2] !== "BACKEND").map((r) => [r[2], r]));
}

/**
 * HAProxy on the booted server LB in front of WEBS (each deployed with loadBalancerHost: LB's
 * address; WEB_PLAN the plan of one of them, for its health check): the load balancer's plan
 * (core/balancer.ts) run on LB as a deploy runs it, then a wait until HAProxy reports every web
 * server UP (its health checks: 2 passes, 2 s apart). The e2e tests and the benchmark use it.
 */
export async function putBalancerInFront(
  lb: LocalServer,
  webs: LocalServer[],
  webPlan: Plan,
  files: ServerFiles,
  log: (line: string) => void,
): Promise<WebServer[]> {
  const servers = webs.map((web) => ({ name: web.name, address: web.host.address }));
  const plan = buildBalancerPlan(lb.settings, webPlan, servers, files);
  await runPlan(lb.target, plan, { stateFile: stateFile(lb.name), secrets: {}, log });
  // Bounded generously (a loaded machine), as the ready step waits.
  for (const end = Date.now() + READY_WAIT * 1000; ;) {
    const stat = await backendStat(lb);
    if (servers.every((s) => stat[s.name]?.[STAT_FIELDS.status] === "UP")) return servers;
    if (Date.now() > end)
      throw new Error(
        `HAProxy on ${lb.name} did not report every web server UP within ${READY_WAIT} s: ` +
          servers.map((s) => `${s.name} ${stat[s.name]?.[STAT_FIELDS.status] ?? "absent"}`).join(", "),
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Runs STEP (drainStep, readyStep) on the load balancer; fails with its output. */
export async function onBalancer(balancer: SshTarget, step: Step, log: (line: string) => void): Promise<void> {
  log(`${balancer.address} ${step.name}: ${step.summary}`);
  const result = await ssh(balancer, step.command, step.stdin, (line) => log(`    ${line}`));
  if (result.code !== 0) throw new Error(`${step.name} on the load balancer failed:\n${result.output.trim()}`);
}

/** Rolls MEMBERS in order through BALANCER; the first failure stops the roll (RollFailed). */
export async function roll(
  balancer: SshTarget,
  members: RollMember[],
  files: ServerFiles,
  log: (line: string) => void = (line) => console.log(line),
): Promise<void> {
  for (const [i, { server, deploy }] of members.entries()) {
    try {
      await onBalancer(balancer, drainStep(files, server), log);
      await deploy();
      await onBalancer(balancer, readyStep(files, server), log);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RollFailed(
        server.name,
        reason,
        members.slice(i + 1).map((m) => m.server.name),
      );
    }
  }
}
