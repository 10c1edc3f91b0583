import { drainStep, readyStep, WebServer } from "../core/balancer";
import { ServerFiles } from "../core/files";
import { Step } from "../core/plan";
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

async function onBalancer(balancer: SshTarget, step: Step, log: (line: string) => void): Promise<void> {
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
