import { Figures, loadRoute, LoadShape, summarize } from "./measure";
import { Route } from "./routes";
import { LoadResult } from "./wrk";
import { BenchServer } from "./servers";

/**
 * The page and places_search at static speed (issue 17): the stack's cached page against the
 * classic setup's hello-world route and its own page, and places_search against the classic
 * setup's. Loaded in alternating rounds like the main table; also counts the lines Gunicorn's
 * access log gained while the stack's routes were loaded (none: Nginx alone answered).
 */
const HELLO: Route = { name: "hello /airbnb-onepage/", kind: "dynamic", method: "GET", path: "/airbnb-onepage/" };
const PAGE: Route = { name: "page /", kind: "dynamic", method: "GET", path: "/" };
const SEARCH: Route = {
  name: "places_search {}",
  kind: "dynamic",
  method: "POST",
  path: "/api/v1/places_search",
  body: "{}",
};

/** Stack route, the classic route it is held against, and the target ratio. */
const TARGETS: [Route, Route, number][] = [
  [PAGE, HELLO, 1],
  [PAGE, PAGE, 10],
  [SEARCH, SEARCH, 5],
];

export interface PageBench {
  classic: BenchServer;
  stack: BenchServer;
  /** Gunicorn's access log on the stack server (plan.layout.services[0].accessLog). */
  accessLog: string;
  shape: LoadShape;
  rounds: number;
  say: (line?: string) => void;
}

const fixed = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export async function benchPage({ classic, stack, accessLog, shape, rounds, say }: PageBench): Promise<void> {
  const lines = async () => parseInt(await stack.sh(`sudo -n wc -l ${accessLog}`), 10);
  const classicFigures = new Map<string, Figures>();
  const stackFigures = new Map<string, Figures>();
  let gunicornLines = 0;
  for (const route of [HELLO, PAGE, SEARCH]) {
    const results: Record<"classic" | "stack", LoadResult[]> = { classic: [], stack: [] };
    const onStack = route !== HELLO;
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (["classic", "stack"] as const) : (["stack", "classic"] as const);
      for (const which of order) {
        if (which === "stack" && !onStack) continue;
        const server = which === "classic" ? classic : stack;
        // The first request of a round may render (a MISS); every other one is Nginx's.
        const before = which === "stack" ? await lines() : 0;
        results[which].push(await loadRoute(server.url(""), route, shape));
        if (which === "stack") gunicornLines += (await lines()) - before;
      }
    }
    classicFigures.set(route.name, summarize(results.classic));
    if (onStack) stackFigures.set(route.name, summarize(results.stack));
  }
  say();
  say("## The page and places_search at static speed (bench/page.ts)");
  say();
  say("| stack route | req/s | p99 ms | classic route | req/s | p99 ms | ratio | target |");
  say("|---|--:|--:|---|--:|--:|--:|---|");
  let requests = 0;
  for (const [mine, theirs, target] of TARGETS) {
    const s = stackFigures.get(mine.name)!;
    const c = classicFigures.get(theirs.name)!;
    const ratio = s.rps / c.rps;
    const met = ratio >= target && s.p99 <= c.p99 && s.errors === 0;
    say(
      `| ${mine.name} | ${fixed(s.rps)} | ${fixed(s.p99, 1)} | ${theirs.name} | ${fixed(c.rps)} | ${fixed(c.p99, 1)} | ` +
        `${fixed(ratio, 2)}× | ${met ? "met" : "NOT met"} (≥ ${target}×, p99 no worse${s.errors ? ", stack had errors" : ""}) |`,
    );
  }
  for (const f of stackFigures.values()) requests += f.requests;
  say();
  say(
    `Gunicorn's access log gained ${fixed(gunicornLines)} lines while the stack answered ${fixed(requests)} ` +
      "requests of the page and places_search (a line is a request a worker answered).",
  );
}
