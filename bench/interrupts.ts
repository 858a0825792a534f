// Ctrl-C or a kill in the middle of a bench still stops its server and load processes.
import { UsageError } from "./options.ts";

let interrupted: number | undefined;

/** Runs `cleanUp` on SIGINT or SIGTERM, then exits with 130 or 143. */
function cleanUpOnInterrupt(cleanUp: () => Promise<void>): void {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.on(signal, () => {
      if (interrupted !== undefined) return;
      interrupted = code;
      console.error(`\nbench: ${signal}, stopping the server`);
      void cleanUp().finally(() => process.exit(code));
    });
  }
}

/**
 * A bench's entry: runs `main` with `cleanUp` registered for SIGINT and SIGTERM, always cleans up, then
 * exits with main's code — 2 when it threw a UsageError, 1 on any other error, 130 or 143 when interrupted.
 */
export async function runBench(main: () => Promise<number>, cleanUp: () => Promise<void>): Promise<never> {
  cleanUpOnInterrupt(cleanUp);
  let exitCode = 1;
  try {
    exitCode = await main();
  } catch (error) {
    if (interrupted === undefined) console.error(error instanceof Error ? error.message : String(error));
    exitCode = error instanceof UsageError ? 2 : 1;
  } finally {
    await cleanUp();
  }
  process.exit(interrupted ?? exitCode);
}
