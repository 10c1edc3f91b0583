import * as path from "path";
import { LocalServer } from "./server";
import { exitWith, readStartArgs } from "./start-args";

/**
 * `npm stop -- --undo`: what `pulumi destroy` does on a server you already have, on the local
 * server of `npm start`: each step's undo over SSH, in reverse plan order, and the server stays
 * up, back to its distribution's defaults with the app's data and logs kept. Set
 * HBNB_DESTROY_KEEPS_DATA=false for the stack setting destroyKeepsData: false. It takes the
 * arguments of `npm start` (--image, --stack; Pulumi.local.yaml when present), so that it undoes
 * the settings that were deployed.
 */
const NAME = process.env.HBNB_LOCAL_HOST ?? "hbnb-local";
const ROOT = path.join(__dirname, "..");

async function main(): Promise<void> {
  const started = Date.now();
  const { image, stack } = readStartArgs(ROOT, process.argv.slice(2));
  const overrides = { ...stack?.overrides };
  const keep = process.env.HBNB_DESTROY_KEEPS_DATA;
  if (keep !== undefined) overrides.destroyKeepsData = keep;
  const server = new LocalServer(NAME);
  await server.up({ image }, overrides);
  const { settings } = server;
  const plan = server.planOf();
  try {
    await server.undo(plan);
    console.log("");
    console.log(`undone:    the stack on ${NAME}; \`npm start\` deploys it again, \`npm stop\` removes the server`);
    const kept = [settings.app.dataDir, settings.app.logDir, `/var/log/nginx/${plan.layout.service}-static.log`];
    console.log(`kept:      ${settings.app.destroyKeepsData ? kept.join(", ") : "nothing"}`);
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    server.close();
  }
}

main().catch(exitWith);
