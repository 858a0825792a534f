// The `jsonl` driver: one JSON transaction per line, from POS software that can append to a file or
// write to a serial port. A file is followed tail -f style from the offset saved with the last
// committed line (in the same outbox commit), so a restart neither re-reads nor skips a line. A line
// that is not a valid transaction is kept in the outbox's `rejected` table and logged.
//
// A line: {"receiptNo":"R1001","at":"2025-01-01T10:00:00Z","lines":[{"code":"SKU-1","quantity":2,"unitPriceFen":1500}],
//          "totalFen":3000,"currency":"CNY","payment":"cash","kind":"sale"}
// `kind` defaults to "sale", `at` to the time the agent read the line, `currency` to the driver's
// (CNY), `payment` to null. An optional "memberCode" (the shopper's membership code the till scanned) is
// passed on, so the sale earns their points. Any "sequence" in the line is ignored: the outbox assigns it.
import { watch, type FSWatcher } from "node:fs";
import { open, stat } from "node:fs/promises";
import { ReadlineParser } from "@serialport/parser-readline";
import * as v from "valibot";
import { storeTransactionSchema } from "../../validation.ts";
import type { JsonlDriverConfig } from "../config.ts";
import { ReconnectingPort } from "../serial/port.ts";
import type { Driver, DriverContext, DriverCursor, OnTransaction, ParsedTransaction } from "./driver.ts";

/** The server's own rules (modules/pos/validation.ts) minus the sequence, so the server never refuses what the agent accepted. */
const parsedTransactionSchema = v.omit(storeTransactionSchema, ["sequence"]);
const MAX_LINE_BYTES = 256 * 1024;

export type LineResult = { ok: true; transaction: ParsedTransaction } | { ok: false; reason: string };

export function parseTransactionLine(line: string, defaults: { currency?: string; now?: () => Date } = {}): LineResult {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return { ok: false, reason: "not a JSON object" };
  const { sequence: _ignored, ...fields } = json as Record<string, unknown>;
  const withDefaults = { kind: "sale", at: (defaults.now?.() ?? new Date()).toISOString(), currency: defaults.currency ?? "CNY", payment: null, ...fields };
  const result = v.safeParse(parsedTransactionSchema, withDefaults);
  if (!result.success) {
    const issue = result.issues[0];
    const where = v.getDotPath(issue);
    return { ok: false, reason: where ? `${where}: ${issue.message}` : issue.message };
  }
  return { ok: true, transaction: result.output };
}

function preview(raw: string): string {
  return raw.length > 120 ? `${raw.slice(0, 120)}…` : raw;
}

interface FileCursor {
  ino: number;
  offset: number;
}

/** Follows a file from its saved cursor. */
class JsonlFile implements Driver {
  private readonly key: string;
  private readonly source: string;
  private stopped = true;
  private cursor: FileCursor | null = null;
  private loop: Promise<void> | null = null;
  private watcher: FSWatcher | null = null;
  private wakeUp: (() => void) | null = null;
  private onTransaction: OnTransaction | null = null;
  private waitingLogged = false;

  constructor(
    private readonly file: string,
    private readonly config: JsonlDriverConfig,
    private readonly context: DriverContext,
  ) {
    this.key = `jsonl:${file}`;
    this.source = `jsonl ${file}`;
  }

  async start(onTransaction: OnTransaction): Promise<void> {
    this.onTransaction = onTransaction;
    this.stopped = false;
    const saved = this.context.cursor(this.key);
    if (saved) this.cursor = JSON.parse(saved) as FileCursor;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = null;
    this.wakeUp?.();
    await this.loop;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
    });
  }

  private ensureWatcher(): void {
    if (this.watcher) return;
    try {
      this.watcher = watch(this.file, { persistent: false }, () => this.wakeUp?.());
      this.watcher.on("error", () => {
        this.watcher?.close();
        this.watcher = null;
      });
    } catch {
      this.watcher = null; // polling still finds new lines
    }
  }

  private async run(): Promise<void> {
    const interval = this.config.pollIntervalMs ?? 200;
    while (!this.stopped) {
      try {
        await this.readAvailable();
      } catch (error) {
        this.context.log(`jsonl: ${this.file}: ${(error as Error).message}; retrying`);
        await this.wait(Math.max(interval, 1000));
        continue;
      }
      if (!this.stopped) await this.wait(interval);
    }
  }

  /** Reads every complete line after the cursor; the cursor moves only with a commit. */
  private async readAvailable(): Promise<void> {
    let info;
    try {
      info = await stat(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        if (!this.waitingLogged) this.context.log(`jsonl: waiting for ${this.file} to appear`);
        this.waitingLogged = true;
        return;
      }
      throw error;
    }
    this.waitingLogged = false;
    this.ensureWatcher();
    const ino = Number(info.ino);
    if (!this.cursor || this.cursor.ino !== ino) {
      if (this.cursor) this.context.log(`jsonl: ${this.file} was replaced; reading the new file from its start`);
      this.cursor = { ino, offset: 0 };
    } else if (info.size < this.cursor.offset) {
      this.context.log(`jsonl: ${this.file} shrank below the saved offset (truncated); reading it from its start`);
      this.cursor = { ino, offset: 0 };
    }
    if (info.size === this.cursor.offset) return;
    const handle = await open(this.file, "r");
    try {
      let pending = Buffer.alloc(0);
      let skipping = false;
      let position = this.cursor.offset;
      const chunk = Buffer.alloc(64 * 1024);
      while (!this.stopped) {
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        pending = pending.length === 0 ? Buffer.from(chunk.subarray(0, bytesRead)) : Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
        // Invariant: pending[start] is the byte at this.cursor.offset in the file.
        let start = 0;
        for (let newline = pending.indexOf(10, start); newline !== -1 && !this.stopped; newline = pending.indexOf(10, start)) {
          const lineEnd: number = this.cursor.offset + (newline + 1 - start);
          if (skipping) {
            skipping = false; // the rest of a line already rejected as too long
            this.cursor = { ino, offset: lineEnd };
          } else {
            await this.handleLine(pending.subarray(start, newline).toString("utf8"), { ino, offset: lineEnd });
          }
          start = newline + 1;
        }
        pending = pending.subarray(start);
        if (pending.length > MAX_LINE_BYTES) {
          if (!skipping) this.reject(pending.subarray(0, 1024).toString("utf8"), `line longer than ${MAX_LINE_BYTES} bytes`, { ino, offset: this.cursor.offset + pending.length });
          else this.cursor = { ino, offset: this.cursor.offset + pending.length };
          skipping = true;
          pending = Buffer.alloc(0);
        }
      }
    } finally {
      await handle.close();
    }
  }

  private reject(raw: string, reason: string, cursor: FileCursor): void {
    const driverCursor: DriverCursor = { key: this.key, value: JSON.stringify(cursor) };
    this.context.reject({ source: this.source, raw, reason }, driverCursor);
    this.context.log(`jsonl: rejected a line of ${this.file} (${reason}): ${preview(raw)}`);
    this.cursor = cursor;
  }

  private async handleLine(text: string, cursor: FileCursor): Promise<void> {
    const raw = text.replace(/\r$/, "");
    if (raw.trim() === "") {
      this.cursor = cursor; // saved with the next commit
      return;
    }
    const parsed = parseTransactionLine(raw, { currency: this.config.currency });
    if (!parsed.ok) {
      this.reject(raw, parsed.reason, cursor);
      return;
    }
    // Throws (and the cursor stays) when the outbox cannot commit: the line is read again next time.
    await this.onTransaction!(parsed.transaction, { key: this.key, value: JSON.stringify(cursor) });
    this.cursor = cursor;
  }
}

/** Lines from a serial port (reconnecting when the device comes and goes). */
class JsonlSerial implements Driver {
  private port: ReconnectingPort | null = null;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly source: string;

  constructor(
    private readonly config: JsonlDriverConfig & { serial: NonNullable<JsonlDriverConfig["serial"]> },
    private readonly context: DriverContext,
  ) {
    this.source = `jsonl ${config.serial.path}`;
  }

  async start(onTransaction: OnTransaction): Promise<void> {
    const port = new ReconnectingPort(this.config.serial);
    this.port = port;
    let retryLogged = false;
    port.on("retry", (error: Error) => {
      if (!retryLogged) this.context.log(`jsonl: waiting for ${this.config.serial.path} (${error.message})`);
      retryLogged = true;
    });
    port.on("open", () => {
      retryLogged = false;
    });
    port.on("disconnect", (error: Error) => this.context.log(`jsonl: ${this.config.serial.path} disconnected (${error.message}); reconnecting`));
    port.on("portError", (error: Error) => this.context.log(`jsonl: ${this.config.serial.path}: ${error.message}`));
    const parser = port.pipe(new ReadlineParser({ delimiter: this.config.delimiter ?? "\n", encoding: "utf8" }));
    parser.on("data", (line: string) => {
      this.chain = this.chain.then(() => this.handleLine(line, onTransaction));
    });
  }

  private async handleLine(line: string, onTransaction: OnTransaction): Promise<void> {
    const raw = line.replace(/\r$/, "");
    if (raw.trim() === "") return;
    const parsed = parseTransactionLine(raw, { currency: this.config.currency });
    if (!parsed.ok) {
      this.context.reject({ source: this.source, raw, reason: parsed.reason });
      this.context.log(`jsonl: rejected a line from ${this.config.serial.path} (${parsed.reason}): ${preview(raw)}`);
      return;
    }
    // The line exists only in memory: keep trying until the outbox has it (or the agent stops).
    for (;;) {
      try {
        await onTransaction(parsed.transaction);
        return;
      } catch (error) {
        this.context.log(`jsonl: cannot store receipt ${parsed.transaction.receiptNo}: ${(error as Error).message}; retrying`);
        if (this.stopped) return;
        await Bun.sleep(1000);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.port?.close();
    await this.chain;
  }
}

export function createJsonlDriver(config: JsonlDriverConfig, context: DriverContext): Driver {
  if (config.file !== undefined) return new JsonlFile(config.file, config, context);
  if (config.serial !== undefined) return new JsonlSerial({ ...config, serial: config.serial }, context);
  throw new Error("driver jsonl needs a file or a serial port");
}
