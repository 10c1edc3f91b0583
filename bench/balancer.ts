import { drainStep, readyStep, WebServer } from "../core/balancer";
import { Bundle } from "../core/bundle";
import { loadServerFiles } from "../core/files";
import { backendStat, onBalancer, putBalancerInFront, STAT_FIELDS } from "../local/balancer";
import { machine, progress } from "./machine";
import { Figures, loadRoute, LoadShape, summarize } from "./measure";
import { Route, routes } from "./routes";
import { BenchServer, liftRateLimit, liftSearchLimit, NAMES } from "./servers";
import { LoadResult } from "./wrk";

/**
 * The load balancer's part of `npm run bench` (issue 15): on the same routes, the stack's server
 * alone, the same server behind HAProxy (loadBalancerHost, on a host of its own), and HAProxy
 * with a second web host beside it. The first ratio is what the extra hop costs; the second,
 * what a second web host adds on this machine. bench/compare.ts calls it with the stack server
 * it deployed; this boots the two others (NAMES.balancer, NAMES.web2) and removes them.
 */

type Setup = "alone" | "one" | "two";
const SETUPS: Setup[] = ["alone", "one", "two"];

interface Row {
  route: Route;
  figures: Record<Setup, Figures>;
}

const num = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(rows: Row[]): string {
  const head = [
    "| route | alone req/s | p50 ms | p99 ms | errors | HAProxy + 1 web req/s | p50 ms | p99 ms | errors | " +
      "HAProxy's cost (1 web ÷ alone) | HAProxy + 2 webs req/s | p50 ms | p99 ms | errors | 2nd web host (2 ÷ 1) |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  const cells = (f: Figures): string[] => [num(f.rps), num(f.p50, 1), num(f.p99, 1), num(f.errors)];
  const lines = rows.map(({ route, figures: f }) =>
    [
      route.name,
      ...cells(f.alone),
      ...cells(f.one),
      `${num(f.one.rps / f.alone.rps, 2)}×`,
      ...cells(f.two),
      `${num(f.two.rps / f.one.rps, 2)}×`,
    ].join(" | "),
  );
  return [...head, ...lines.map((l) => `| ${l} |`)].join("\n");
}

/**
 * Measures; returns what to write into the report (compare.ts's `say`). STACK: the deployed
 * server of compare.ts; it is deployed again here behind HAProxy (loadBalancerHost: its Nginx
 * takes the client's address from X-Forwarded-For), so all three setups load the same config.
 */
export async function benchBalancer(
  stack: BenchServer,
  bundle: Bundle,
  shape: LoadShape,
  rounds: number,
): Promise<(say: (line?: string) => void) => void> {
  const files = loadServerFiles();
  const lb = new BenchServer(NAMES.balancer);
  const web2 = new BenchServer(NAMES.web2);
  const loadBefore = machine().load;
  try {
    progress(`booting ${lb.name} (HAProxy) and ${web2.name} (a second web host)`);
    await Promise.all([lb.boot(), web2.boot()]);
    progress(`deploying ${stack.name} and ${web2.name} behind ${lb.name}, then HAProxy on ${lb.name}`);
    const webs = [stack, web2];
    for (const web of webs) web.configure({ loadBalancerHost: lb.host.address });
    const plans = webs.map((web) => web.plan(bundle));
    await Promise.all(webs.map((web, i) => web.deploy(plans[i])));
    // The deploy wrote the limits back into the configs: raised again, as compare.ts did.
    for (const [i, web] of webs.entries()) {
      await liftRateLimit(web, plans[i]);
      await liftSearchLimit(web, plans[i]);
    }
    const servers: WebServer[] = await putBalancerInFront(lb, webs, plans[0], files, () => undefined);
    const second = servers[1];

    // The second web host in or out of HAProxy's rotation, through the roll's own steps: drained
    // (HAProxy sends it nothing new, and the step returns once it serves nothing), or ready (UP).
    let drained = false;
    const rotation = async (two: boolean): Promise<void> => {
      if (two === !drained) return;
      await onBalancer(lb.target, (two ? readyStep : drainStep)(files, second), () => undefined);
      drained = !two;
    };
    // What HAProxy sent each web server while both were in the rotation (its `show stat` stot).
    const sent = servers.map(() => 0);
    const sentTo = async (): Promise<number[]> => {
      const stat = await backendStat(lb);
      return servers.map((s) => Number(stat[s.name][STAT_FIELDS.stot]));
    };

    const rows: Row[] = [];
    for (const route of routes(bundle.release)) {
      const results: Record<Setup, LoadResult[]> = { alone: [], one: [], two: [] };
      for (let round = 0; round < rounds; round++) {
        // Alternating the order, as compare.ts does: a slow spell of the machine hits all alike.
        const order = round % 2 === 0 ? SETUPS : [...SETUPS].reverse();
        for (const setup of order) {
          if (setup !== "alone") await rotation(setup === "two");
          progress(`${route.name}: round ${round + 1}/${rounds}, ${setup} (${shape.seconds} s)`);
          const base = setup === "alone" ? stack.url("") : lb.url("");
          const before = setup === "two" ? await sentTo() : [];
          results[setup].push(await loadRoute(base, route, shape));
          if (setup === "two") (await sentTo()).forEach((n, i) => (sent[i] += n - before[i]));
        }
      }
      rows.push({
        route,
        figures: { alone: summarize(results.alone), one: summarize(results.one), two: summarize(results.two) },
      });
    }
    const split = servers.map((s, i) => `${num(sent[i])} to ${s.name}`).join(" and ");
    const loadAfter = machine().load;

    return (say) => {
      say();
      say("## The load balancer: HAProxy's cost, and what a second web host adds");
      say();
      say(
        `Three setups on the same routes, in alternating rounds (same load and rounds as above): **alone**, the stack's ` +
          `server loaded directly; **HAProxy + 1 web**, the same server through HAProxy on a host of its own ` +
          `(${lb.name}, loadBalancerHost; the second web host drained); **HAProxy + 2 webs**, with ${web2.name} in ` +
          `the rotation too (round robin). Both web servers deployed with loadBalancerHost, so all three load the same ` +
          `Nginx config. In the rounds with both, HAProxy sent ${split}. ` +
          `Load average (1 min) ${loadBefore.toFixed(2)} before this part, ${loadAfter.toFixed(2)} after.`,
      );
      say();
      say(table(rows));
      say();
      say(
        "What these figures can show, and what they cannot: every host here (the load tool, HAProxy, both web " +
          "hosts' Nginx and Gunicorn) shares this machine's cores. **HAProxy's cost** is the extra hop's price paid " +
          "in that shared CPU (HAProxy parsing each request, a second connection, one more veth crossing) and in " +
          "latency (p50): an upper bound of what HAProxy takes from a web server, since on its own host it would take " +
          "none of the web server's CPU and only the latency would remain. **The second web host** adds no CPU here: " +
          "its Nginx and Gunicorn run on the same cores as the first's, so its ratio near or below 1× says nothing of " +
          "what a second server adds on AWS (its own vCPUs: the web tier's capacity grows with its servers until the " +
          "database or the load balancer limits it). What it does show: HAProxy spreads the load over both (the " +
          "counts above) without errors, and what running two web hosts' processes on one machine costs.",
      );
    };
  } finally {
    if (!process.env.BENCH_KEEP) {
      progress(`removing ${lb.name} and ${web2.name}`);
      await Promise.allSettled([lb.destroy(), web2.destroy()]);
    }
  }
}
