import { Image, IMAGES, stateDir, stateFile, up } from "./hosts";
import { hostSecrets } from "./secrets";
import { runPlan, StepFailed } from "./runner";
import { keyFileFor, ssh } from "./ssh";
import { localPlan, localSettings } from "./stack";

/**
 * `npm start`: a disposable local server, then the stack's plan on it over real SSH, each step
 * printed with its time, and at the end the URL and the release that serves. Run it again and
 * only the steps whose inputs changed run again. `npm start -- --image cloud` boots the server
 * through cloud-init the way Ubuntu's cloud images boot on EC2 (local/root.sh).
 */
const NAME = process.env.HBNB_LOCAL_HOST ?? "hbnb-local";

/** The image named by `--image NAME` (or `--image=NAME`), "debian" without one. */
function imageOf(argv: string[]): Image {
  const usage = `usage: npm start [-- --image ${IMAGES.join("|")}]`;
  if (argv.length === 0) return "debian";
  const value = argv[0] === "--image" && argv.length === 2 ? argv[1] : /^--image=(.*)$/.exec(argv[0])?.[1];
  if (value === undefined || argv.length > (argv[0] === "--image" ? 2 : 1)) throw new Error(usage);
  if (!(IMAGES as readonly string[]).includes(value)) {
    throw new Error(`--image is '${value}': it must be one of ${IMAGES.join(", ")}; ${usage}`);
  }
  return value as Image;
}

async function main(): Promise<void> {
  const started = Date.now();
  const image = imageOf(process.argv.slice(2));
  console.log(`hbnb-stack: local server ${NAME} (${image} image)`);
  const host = await up(NAME, { image });
  const settings = localSettings(host);
  const plan = localPlan(settings);
  const key = keyFileFor(settings.ssh.privateKey);
  try {
    const target = { address: host.address, port: settings.ssh.port, user: settings.ssh.user, keyFile: key.keyFile };
    const reports = await runPlan(target, plan, { stateFile: stateFile(NAME), secrets: hostSecrets(stateDir(NAME)) });
    const ran = reports.filter((r) => r.ran).map((r) => r.step);
    const health = await ssh(target, `sudo curl -fsS --unix-socket ${plan.layout.socket} http://localhost/-/health`);
    const serving =
      health.code === 0
        ? (JSON.parse(health.output) as { release: string }).release
        : `nothing (${health.output.trim()})`;
    console.log("");
    console.log(`steps run: ${ran.length ? ran.join(", ") : "none (nothing changed)"}`);
    console.log(`serving:   release ${serving} on ${settings.app.workers} Gunicorn workers behind Nginx`);
    console.log(`url:       http://${host.address}/`);
    console.log(`ssh:       ssh -i ${host.key} ${host.user}@${host.address}`);
    // Writes through the API need the token (apiWriteAccess token); it is kept with the server's state.
    console.log(`api token: "apiToken" in ${stateDir(NAME)}/secrets.json (Authorization: Bearer <token>)`);
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s; \`npm stop\` removes the server`);
  } finally {
    key.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof StepFailed ? `\nhbnb-stack: ${error.message}` : error);
  process.exit(1);
});
