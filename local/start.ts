import * as path from "path";
import { stateDir } from "./hosts";
import { LocalServer } from "./server";
import { exitWith, readStartArgs } from "./start-args";
import { LocalStack } from "./stack-file";

/**
 * `npm start`: a disposable local server, then the stack's plan on it over real SSH, each step
 * printed with its time, and at the end the URL and the release that serves. Run it again and
 * only the steps whose inputs changed run again. `npm start -- --image cloud` boots the server
 * through cloud-init the way Ubuntu's cloud images boot on EC2 (local/root.sh).
 * `npm start -- --stack NAME` takes the settings of Pulumi.NAME.yaml (Pulumi.local.yaml, when
 * present, without the flag), pointed at the local server (local/stack-file.ts).
 */
const NAME = process.env.HBNB_LOCAL_HOST ?? "hbnb-local";
const ROOT = path.join(__dirname, "..");

/** The stack file, and what of it the local server replaces or leaves aside. */
function describe(stack: LocalStack): string {
  return [
    path.basename(stack.file),
    stack.replaced.length > 0 ? `replaced by the local server's: ${stack.replaced.join(", ")}` : "",
    stack.ignored.length > 0 ? `ignored (AWS only, or not this project's): ${stack.ignored.join(", ")}` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

async function main(): Promise<void> {
  const started = Date.now();
  // The stack file is read and checked before any server boots.
  const { image, stack } = readStartArgs(ROOT, process.argv.slice(2));
  console.log(`hbnb-stack: local server ${NAME} (${image} image)`);
  if (stack) console.log(`settings:  ${describe(stack)}`);
  const server = new LocalServer(NAME);
  await server.up({ image }, stack?.overrides);
  const plan = server.planOf();
  try {
    const reports = await server.deploy(plan);
    const ran = reports.filter((r) => r.ran).map((r) => r.step);
    const serving = await server.serving(plan).catch((error: Error) => `nothing (${error.message})`);
    const { host, settings } = server;
    console.log("");
    console.log(`steps run: ${ran.length ? ran.join(", ") : "none (nothing changed)"}`);
    console.log(`serving:   release ${serving} on ${settings.app.workers} Gunicorn workers behind Nginx`);
    console.log(`url:       http://${host.address}/`);
    console.log(`ssh:       ssh -i ${host.key} ${host.user}@${host.address}`);
    // Writes through the API need the token (apiWriteAccess token); it is kept with the server's state.
    console.log(`api token: "apiToken" in ${stateDir(NAME)}/secrets.json (Authorization: Bearer <token>)`);
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s; \`npm stop\` removes the server`);
  } finally {
    server.close();
  }
}

main().catch(exitWith);
