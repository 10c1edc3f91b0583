import { buildBundle, Bundle } from "../core/bundle";
import { Pebble } from "../local/pebble";
import { describe, machine, progress } from "./machine";
import { LoadShape } from "./measure";
import { BROWSER_HEADERS } from "./routes";
import { BenchServer, NAMES } from "./servers";
import { load, LoadResult } from "./wrk";

/**
 * HTTPS against HTTP on the same server: the static file and the page, over keep-alive
 * connections and with a new connection per request (for HTTPS a full handshake each: wrk
 * resumes no session), so the new-connection rows are handshakes a second. The server serves
 * plain HTTP first (measured), then gets its certificate from Pebble (local/pebble.ts) and
 * serves HTTPS (measured); with HTTPS live, plain HTTP from outside is a redirect, so the two
 * cannot alternate. Called by bench/compare.ts on its stack server once its own figures are
 * taken; alone: `BENCH_PREFIX=xyz npx tsx bench/https.ts` boots a server of its own.
 */
const ROUTES = (release: string) => [
  { name: "CSS 1.7 KB (?v=)", path: `/static/styles/filters.css?v=${release}` },
  { name: "page /", path: "/" },
];
const MODES: { name: string; headers: Record<string, string> }[] = [
  { name: "keep-alive", headers: {} },
  { name: "new connection", headers: { Connection: "close" } },
];

type Figures = Record<string, LoadResult>;

async function measure(base: string, release: string, shape: LoadShape, scheme: string): Promise<Figures> {
  const figures: Figures = {};
  for (const route of ROUTES(release)) {
    for (const mode of MODES) {
      progress(`${route.name}, ${mode.name}, ${scheme} (${shape.seconds} s)`);
      figures[`${route.name}|${mode.name}`] = await load({
        url: `${base}${route.path}`,
        seconds: shape.seconds,
        connections: shape.connections,
        threads: shape.threads,
        headers: { ...BROWSER_HEADERS, ...mode.headers },
      });
    }
  }
  return figures;
}

const num = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The section of the report: HTTP and HTTPS side by side, on SERVER (deployed with BUNDLE). */
export async function benchHttps(server: BenchServer, bundle: Bundle, shape: LoadShape): Promise<string> {
  const http = await measure(`http://${server.host.address}`, bundle.release, shape, "HTTP");
  const pebble = new Pebble(`${server.name}-acme`);
  try {
    progress(`${server.name}: a certificate from Pebble, then HTTPS`);
    await pebble.start(server.host.address);
    const domain = `${server.name}.test`;
    server.configure({
      domain,
      acmeEmail: `webmaster@${domain}`,
      acmeServer: pebble.directory,
      acmeCaBundle: pebble.tlsCa,
    });
    await server.deploy(server.plan(bundle));
  } finally {
    await pebble.stop();
  }
  const https = await measure(`https://${server.host.address}`, bundle.release, shape, "HTTPS");
  const rows = Object.keys(http).map((key) => {
    const [route, mode] = key.split("|");
    const [a, b] = [http[key], https[key]];
    const cells = (r: LoadResult) => [num(r.rps), num(r.p50, 1), num(r.p99, 1), num(r.failed)];
    return `| ${[route, mode, ...cells(a), ...cells(b), `${num(b.rps / a.rps, 2)}×`].join(" | ")} |`;
  });
  return [
    "## HTTPS against HTTP, same server",
    "",
    `wrk -t${shape.threads} -c${shape.connections}, ${shape.seconds} s a run, one run each; HTTP measured first, ` +
      "then the certificate (Pebble, ECDSA P-256), then HTTPS. New connection: " +
      "`Connection: close`, a TCP connection and (HTTPS) a full TLS handshake per request: its req/s are handshakes a second.",
    "",
    "| route | connections | HTTP req/s | p50 ms | p99 ms | failed | HTTPS req/s | p50 ms | p99 ms | failed | HTTPS/HTTP |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ...rows,
  ].join("\n");
}

async function main(): Promise<void> {
  const server = new BenchServer(NAMES.stack.replace(/stack$/, "https"));
  const shape: LoadShape = {
    seconds: Number(process.env.BENCH_SECONDS ?? 5),
    connections: Number(process.env.BENCH_CONNECTIONS ?? 64),
    threads: 2,
  };
  const before = machine();
  try {
    progress(`booting ${server.name}`);
    await server.boot();
    const bundle = buildBundle();
    await server.deploy(server.plan(bundle));
    const section = await benchHttps(server, bundle, shape);
    console.log(
      `Machine: ${describe(machine())}; load average at the start ${before.load.toFixed(2)}, at the end ${machine().load.toFixed(2)}.\n`,
    );
    console.log(section);
  } finally {
    if (!process.env.BENCH_KEEP) await server.destroy();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
