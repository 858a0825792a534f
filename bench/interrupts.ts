// Ctrl-C or a kill in the middle of a bench still stops its server and load processes.

let interrupted: number | undefined;

/** Runs `cleanUp` on SIGINT or SIGTERM, then exits with 130 or 143. */
export function cleanUpOnInterrupt(cleanUp: () => Promise<void>): void {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.on(signal, () => {
      if (interrupted !== undefined) return;
      interrupted = code;
      console.error(`\nbench: ${signal}, stopping the server`);
      void cleanUp().finally(() => process.exit(code));
    });
  }
}

/** The exit code of the signal that stopped the bench, if one did. */
export function interruptedBy(): number | undefined {
  return interrupted;
}
