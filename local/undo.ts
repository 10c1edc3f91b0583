import { stateFile, up } from "./hosts";
import { StepFailed, undoPlan } from "./runner";
import { keyFileFor } from "./ssh";
import { localPlan, localSettings } from "./stack";

/**
 * `npm stop -- --undo`: what `pulumi destroy` does on a server you already have, on the local
 * server of `npm start`: each step's undo over SSH, in reverse plan order, and the server stays
 * up, back to its distribution's defaults with the app's data and logs kept. Set
 * HBNB_DESTROY_KEEPS_DATA=false for the stack setting destroyKeepsData: false.
 */
const NAME = process.env.HBNB_LOCAL_HOST ?? "hbnb-local";

async function main(): Promise<void> {
  const started = Date.now();
  const host = await up(NAME);
  const keep = process.env.HBNB_DESTROY_KEEPS_DATA;
  const settings = localSettings(host, keep === undefined ? {} : { destroyKeepsData: keep });
  const plan = localPlan(settings);
  const key = keyFileFor(settings.ssh.privateKey);
  try {
    const target = { address: host.address, port: settings.ssh.port, user: settings.ssh.user, keyFile: key.keyFile };
    await undoPlan(target, plan, { stateFile: stateFile(NAME) });
    console.log("");
    console.log(`undone:    the stack on ${NAME}; \`npm start\` deploys it again, \`npm stop\` removes the server`);
    const kept = [settings.app.dataDir, settings.app.logDir, `/var/log/nginx/${plan.layout.service}-static.log`];
    console.log(`kept:      ${settings.app.destroyKeepsData ? kept.join(", ") : "nothing"}`);
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    key.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof StepFailed ? `\nhbnb-stack: ${error.message}` : error);
  process.exit(1);
});
