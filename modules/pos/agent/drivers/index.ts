// Chooses the driver named in the config. Imported statically so the single-file build carries all three.
import type { DriverConfig } from "../config.ts";
import type { Driver, DriverContext } from "./driver.ts";
import { EcrDriver, type EcrOptions } from "./ecr.ts";
import { EscposTapDriver, type EscposTapOptions } from "./escpos-tap.ts";
import { createJsonlDriver } from "./jsonl.ts";

export function createDriver(config: DriverConfig, context: DriverContext): Driver {
  switch (config.type) {
    case "jsonl":
      return createJsonlDriver(config, context);
    case "escpos-tap":
      if (!config.printer) throw new Error("driver escpos-tap needs printer (the real printer's serial port)");
      // `options` (encoding, patterns, idleReceiptMs, forwardStatus…) is passed through as the driver reads it.
      return new EscposTapDriver({ ...(config.options as Partial<EscposTapOptions>), till: config.serial, printer: config.printer, context });
    case "ecr":
      return new EcrDriver({ ...(config.options as Partial<EcrOptions>), port: config.serial, currency: config.currency, context });
  }
}
