import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { Host } from "./host";
import { fillFacts, fillSecrets, secretsOf } from "../core/fill-secrets";
import { carriesSecrets, Plan, Step } from "../core/plan";

/**
 * The Pulumi driver of the plan: on one host, a probe that SSH answers, then one remote.Command
 * per step (and a CopyToRemote for a step's upload), each depending on the one before. Triggers
 * are the step's own inputs and the machine's identity, so a preview shows which steps a change
 * re-runs, an unchanged stack re-runs nothing, and a replaced machine gets every step again.
 */
export interface HostDeployArgs {
  host: Host;
  /** A web server's plan, or the load balancer's (core/balancer.ts: no release, no switch). */
  plan: Pick<Plan, "steps"> & Partial<Pick<Plan, "release">>;
  privateKey: pulumi.Input<string>;
  /** The values of the plan's secrets, by name (see Step.secrets). */
  secrets: Record<string, pulumi.Input<string>>;
  /** How long SSH may take to answer before the deploy gives up, and what to tell the user then. */
  reachability: Reachability;
  /**
   * Whether `pulumi destroy` takes the plan back out of the server (a server you already have);
   * an instance the stack created is simply deleted, with nothing to run on it first.
   */
  undoOnDestroy?: boolean;
  /**
   * The previous server's switch, when there are several: this server's switch waits for it, so
   * the servers take a new release one at a time, and a switch that fails (its health check)
   * stops the roll with the servers after it still on the release they served.
   */
  rollAfter?: pulumi.Resource;
  /**
   * Behind a load balancer, the switch runs between a drain step and a ready step, so no request
   * goes to the server while it switches: on HAProxy's host (loadBalancerHost, core/balancer.ts),
   * or behind AWS's with several servers on the server itself (core/alb-drain.ts).
   */
  balancer?: BalancerSteps;
}

/** The load balancer's part in a web server's switch. */
export interface BalancerSteps {
  /** Where the drain and ready steps run: HAProxy's host, or the web server itself (AWS). */
  host: Host;
  drain: Step;
  ready: Step;
  /** HAProxy's last step: it runs with a config that names this server. */
  after?: pulumi.Resource;
}

export interface Reachability {
  /** A new instance needs minutes to boot; a server of your own answers at once. */
  seconds: number;
  /** The likely causes when SSH never answers, each naming the setting to check. */
  causes: string[];
}

/** Run from the project's directory, where pulumi-command's local provider runs its commands. */
export const PROBE_COMMAND = "node components/ssh-probe.mjs";

// Dial attempts of the first SSH step, once the probe has seen SSH answer: right after boot the
// key may not be installed yet (cloud-init), so a few failures are expected; pulumi-command waits
// 0.1 s, then 1.5 times longer each time up to 5 s between them (provider/pkg/provider/remote/
// connection.go, dialWithRetry; pulumi sdk/go/common/util/retry/until.go): about a minute of
// refusals, then it fails with "unable to authenticate".
export const FIRST_DIAL_ERROR_LIMIT = 20;

/**
 * A step's stdin with the host's facts put in (plain), then its secrets, as a secret: kept
 * encrypted in the state. Steps without secrets keep their plain stdin, so a preview can show
 * what changed in them.
 */
function stdinOf(step: Step, host: Host, secrets: Record<string, pulumi.Input<string>>): pulumi.Input<string> {
  const stdin = step.facts?.length
    ? pulumi.all(host.facts ?? {}).apply((facts) => fillFacts(step, step.stdin, facts))
    : step.stdin;
  if (!carriesSecrets(step)) return stdin;
  return pulumi.secret(
    pulumi
      .all([stdin, pulumi.all(secretsOf(step, secrets))])
      .apply(([text, plain]) => fillSecrets({ ...step, stdin: text }, plain)),
  );
}

export class HostDeploy extends pulumi.ComponentResource {
  /** The step commands, in plan order. */
  readonly steps: command.remote.Command[];
  /** The commands whose `delete` runs a step's undo, in plan order; none unless undoOnDestroy. */
  readonly undos: command.remote.Command[];
  /** The switch step's command; none in the load balancer's plan. */
  readonly switch?: command.remote.Command;
  /**
   * What the next server's switch waits for (HostDeployArgs.rollAfter): this server's switch,
   * or, behind HAProxy, the ready step after it (this server UP again).
   */
  readonly rolled?: command.remote.Command;
  /** The drain and ready commands on the load balancer around the switch (HostDeployArgs.balancer). */
  readonly balancerSteps: command.remote.Command[] = [];
  private readonly privateKey: pulumi.Input<string>;
  /** The release that serves once the switch step has succeeded (the load balancer's plan: none). */
  readonly release: pulumi.Output<string>;

  constructor(name: string, args: HostDeployArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hbnb-stack:deploy:Host", name, {}, opts);
    const { host, plan } = args;
    this.privateKey = args.privateKey;
    const identity = host.identity ?? host.address;
    const connection = (first: boolean): command.types.input.remote.ConnectionArgs => ({
      host: host.address,
      user: host.user,
      port: host.port,
      privateKey: pulumi.secret(args.privateKey),
      // The probe has waited for the server to boot; later steps find SSH up.
      dialErrorLimit: first ? FIRST_DIAL_ERROR_LIMIT : 10,
    });

    // Waits (bounded) until SSH answers at the address and port, else fails naming the likely
    // causes. It runs again when the address, the port or the machine changes.
    const probe = new command.local.Command(
      `${name}-reachable`,
      {
        create: PROBE_COMMAND,
        environment: {
          HBNB_PROBE_HOST: host.address,
          HBNB_PROBE_PORT: String(host.port),
          HBNB_PROBE_SECONDS: String(args.reachability.seconds),
          HBNB_PROBE_CAUSES: JSON.stringify(args.reachability.causes),
        },
        triggers: [identity],
        addPreviousOutputInEnv: false,
      },
      {
        parent: this,
        dependsOn: host.dependsOn ?? [],
        customTimeouts: { create: `${args.reachability.seconds + 60}s`, update: `${args.reachability.seconds + 60}s` },
      },
    );

    this.steps = [];
    this.undos = [];
    let previous: pulumi.Resource[] = [probe];
    let previousUndo: pulumi.Resource[] = host.dependsOn ?? [];
    plan.steps.forEach((step, index) => {
      // A step's undo is the `delete` of a Command of its own, not of the step's Command. The
      // provider runs a Command's `delete` whenever the resource goes: at a destroy, and also
      // when a change of its triggers replaces it (pulumi-command, provider/pkg/provider/common/
      // inputs.go: `triggers` is replaceOnChanges; remote/commandController.go: Delete runs
      // `delete` with the old state's connection and stdin). Pulumi replaces create-before-
      // delete unless deleteBeforeReplace is set (pulumi/pulumi, tests/integration/steps/step3:
      // CreateReplacement, then DeleteReplaced): the step's new run would succeed and then its
      // old resource's delete would take the site away from a live server. The undo Command is
      // replaced only when the machine changes (its only trigger), has no `create` (Create and
      // Update run nothing without one: commandController.go), and takes a new `delete` as an
      // update, so its state always holds the undo of the plan last deployed and the current
      // connection. Destroy deletes dependents first: each undo depends on the one before it,
      // so they run in reverse plan order, the last step's first.
      let undo: command.remote.Command | undefined;
      if (args.undoOnDestroy && step.undo) {
        undo = new command.remote.Command(
          `${name}-${step.name}-undo`,
          {
            connection: connection(false),
            delete: step.undo.command,
            triggers: [identity],
            logging: "stdoutAndStderr",
            addPreviousOutputInEnv: false,
          },
          { parent: this, dependsOn: previousUndo, customTimeouts: { delete: "20m" } },
        );
        this.undos.push(undo);
        previousUndo = [undo];
      }
      // A new secret value runs the step again; in the state it stays encrypted.
      // A new fact of the host (a new data volume) runs it again too.
      const triggers = [
        ...step.triggers,
        identity,
        ...(step.facts ?? []).map((name) => pulumi.output(host.facts?.[name] ?? "")),
        ...step.secrets.map((name) => pulumi.secret(args.secrets[name])),
      ];
      // Behind a load balancer: the drain (on HAProxy's host, or the leave step on this server
      // behind AWS's), with the switch's triggers, so it runs exactly when the switch does (a
      // replacement creates the new one before the switch's).
      const balancer = step.name === "switch" ? args.balancer : undefined;
      if (balancer) {
        const drain = this.onBalancer(`${name}-${balancer.drain.name}`, balancer.drain, balancer, triggers, [
          ...previous,
          ...(balancer.after ? [balancer.after] : []),
          ...(args.rollAfter ? [args.rollAfter] : []),
        ]);
        previous = [drain];
      }
      if (step.upload) {
        const copy = new command.remote.CopyToRemote(
          `${name}-${step.name}-upload`,
          {
            connection: connection(false),
            source: new pulumi.asset.FileAsset(step.upload.source),
            remotePath: step.upload.destination,
            triggers,
          },
          { parent: this, dependsOn: previous },
        );
        previous = [copy];
      }
      const cmd = new command.remote.Command(
        `${name}-${step.name}`,
        {
          connection: connection(index === 0),
          create: step.command,
          stdin: stdinOf(step, host, args.secrets),
          triggers,
          // What a step that handles secrets prints stays out of the logs (logging) and out of
          // the state in plain text (additionalSecretOutputs, below).
          logging: carriesSecrets(step) ? "none" : "stdoutAndStderr",
          // Otherwise every re-run asks sshd to set PULUMI_COMMAND_STDOUT/STDERR, which Ubuntu's
          // `AcceptEnv LANG LC_*` refuses with a warning per step; no step reads them
          // (pulumi-command provider/pkg/provider/remote/commandOutputs.go).
          addPreviousOutputInEnv: false,
        },
        {
          parent: this,
          // After its undo is in the state: a step that fails halfway is still taken back out.
          // The switch also after the previous server's (the roll).
          dependsOn: [
            ...previous,
            ...(undo ? [undo] : []),
            ...(step.name === "switch" && args.rollAfter ? [args.rollAfter] : []),
          ],
          customTimeouts: { create: "20m", update: "20m" },
          ...(carriesSecrets(step) ? { additionalSecretOutputs: ["stdout", "stderr"] } : {}),
        },
      );
      this.steps.push(cmd);
      previous = [cmd];
      if (balancer) {
        // The ready step before the server's later steps (harden, firewall, prune): the server
        // is back in rotation, and the next server's drain may start, as soon as it serves.
        previous = [this.onBalancer(`${name}-${balancer.ready.name}`, balancer.ready, balancer, triggers, [cmd])];
      }
    });
    this.switch = this.steps.find((_, index) => plan.steps[index].name === "switch");
    if (!this.switch && plan.release !== undefined) throw new Error("the plan has no switch step");
    this.rolled = this.balancerSteps[this.balancerSteps.length - 1] ?? this.switch;
    const last = this.steps[this.steps.length - 1];
    this.release = last.stdout.apply(() => plan.release ?? "");
    this.registerOutputs({ release: this.release });
  }

  /** A drain or ready step of this server, run where BALANCER says. */
  private onBalancer(
    name: string,
    step: Step,
    balancer: BalancerSteps,
    triggers: pulumi.Input<string>[],
    dependsOn: pulumi.Resource[],
  ): command.remote.Command {
    const cmd = new command.remote.Command(
      name,
      {
        connection: {
          host: balancer.host.address,
          user: balancer.host.user,
          port: balancer.host.port,
          privateKey: pulumi.secret(this.privateKey),
          dialErrorLimit: 10,
        },
        create: step.command,
        stdin: step.stdin,
        triggers: [...step.triggers, ...triggers],
        logging: "stdoutAndStderr",
        addPreviousOutputInEnv: false,
      },
      // Bounded by the steps themselves (HAProxy's drain 90 s, ready 60 s; AWS's leave 35 s, rejoin 60 + 35 s).
      { parent: this, dependsOn, customTimeouts: { create: "5m", update: "5m" } },
    );
    this.balancerSteps.push(cmd);
    return cmd;
  }
}
