import type { RecordedInvoke, RecordedResource } from "./mocks";
import type { ProgramConfig } from "../../local/pulumi-cli-config";

/** One run of the whole program (index.ts) under Pulumi's mocks: what it registered and exported. */
export interface Run {
  resources: RecordedResource[];
  invokes: RecordedInvoke[];
  outputs: Record<string, unknown>;
  error?: unknown;
}

/** Runs index.ts afresh with the config the CLI would hand it; a thrown error is returned. */
export async function runProgram(stack: string, { config, secretKeys }: ProgramConfig): Promise<Run> {
  let run: Run = { resources: [], invokes: [], outputs: {} };
  await jest.isolateModulesAsync(async () => {
    const pulumi = await import("@pulumi/pulumi");
    const mocks = await import("./mocks");
    pulumi.runtime.setAllConfig(config, secretKeys);
    await mocks.setupMocks({ stack });
    try {
      const program = await import("../../index");
      const outputs: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(program)) outputs[key] = await mocks.valueOf(value as never);
      // And every registration still under way (a component's outputs after its last child, deep
      // in a roll's chain), before the next run's mocks replace these: the runtime's own wait
      // (@pulumi/pulumi runtime/settings.ts, waitForRPCs, which its disconnect awaits).
      await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
      run = { resources: mocks.resources, invokes: mocks.invokes, outputs };
    } catch (error) {
      run = { resources: mocks.resources, invokes: mocks.invokes, outputs: {}, error };
    }
  });
  return run;
}
