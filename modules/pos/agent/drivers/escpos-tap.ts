// The escpos-tap driver: the agent sits between the till and its receipt printer on two serial
// ports. Every chunk from the till is written to the printer at once, unchanged and in order, before
// anything else happens to it (printing never waits for parsing, the outbox or the network); status
// bytes from the printer go back to the till unchanged (tills poll DLE EOT). A copy of the till's
// bytes is parsed (EscposParser) and each cut receipt is read with the line patterns into a
// transaction handed to the agent in order. Receipts the patterns cannot read are not dropped: they
// go to `onUnreadable` (or the agent's DriverContext.reject).
//
// There is nothing to acknowledge: the till talks to a printer, not to us.
import { ReconnectingPort, type ReconnectingPortOptions } from "../serial/port.ts";
import type { Driver, DriverContext, OnTransaction, ParsedTransaction } from "./driver.ts";
import { EscposParser, type EscposReceipt, type ReceiptEncoding } from "./escpos-parser.ts";
import { readReceipt, receiptPatterns, type ReceiptPatternConfig, type ReceiptPatterns } from "./escpos-receipt-patterns.ts";

export interface UnreadableReceipt {
  source: string;
  /** The receipt's text as printed (lines joined with "\n"). */
  raw: string;
  reason: string;
}

export interface EscposTapOptions {
  /** The port the till prints to (the agent's side of the till's printer cable). */
  till: ReconnectingPortOptions;
  /** The real printer. */
  printer: ReconnectingPortOptions;
  encoding?: ReceiptEncoding;
  patterns?: Partial<ReceiptPatternConfig>;
  /** Receipts the patterns cannot read; defaults to `context.reject`. */
  onUnreadable?: (receipt: UnreadableReceipt) => void;
  context?: Pick<DriverContext, "reject" | "log">;
  /** Forward the printer's bytes back to the till (default true). */
  forwardStatus?: boolean;
  /** End a receipt that has text but no cut after this much silence (ms; default off). */
  idleReceiptMs?: number;
  /** How long start() waits for both ports before it resolves anyway (ms, default 5000). */
  openTimeoutMs?: number;
  /** Delay between onTransaction retries when the outbox rejects (ms, default 1000). */
  retryMs?: number;
  /** Per forwarded chunk: bytes, and ms from its arrival to the printer write completing. */
  onForwarded?: (bytes: number, ms: number) => void;
  now?: () => Date;
}

export class EscposTapDriver implements Driver {
  private readonly options: EscposTapOptions;
  private readonly patterns: ReceiptPatterns;
  private readonly source: string;
  private till: ReconnectingPort | null = null;
  private printer: ReconnectingPort | null = null;
  private parser: EscposParser | null = null;
  private onTransaction: OnTransaction | null = null;
  private queue: Promise<void> = Promise.resolve();
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private stopping = false;
  /** Transactions handed over and committed; receipts that were unreadable. */
  readonly counts = { forwardedBytes: 0, receipts: 0, transactions: 0, unreadable: 0 };

  constructor(options: EscposTapOptions) {
    this.options = options;
    this.patterns = receiptPatterns(options.patterns);
    this.source = `escpos-tap:${options.till.path}`;
  }

  async start(onTransaction: OnTransaction): Promise<void> {
    if (this.till) throw new Error("escpos-tap: already started");
    this.onTransaction = onTransaction;
    this.stopping = false;
    const parser = new EscposParser((receipt) => this.receipt(receipt), { encoding: this.options.encoding ?? "gb18030" });
    this.parser = parser;
    const till = new ReconnectingPort(this.options.till);
    const printer = new ReconnectingPort(this.options.printer);
    this.till = till;
    this.printer = printer;
    for (const [name, port] of [["till", till], ["printer", printer]] as const) {
      port.on("error", (err: Error) => this.log(`escpos-tap: ${name} port: ${err.message}`));
      port.on("portError", (err: Error) => this.log(`escpos-tap: ${name} port: ${err.message}`));
      port.on("disconnect", (err: Error) => this.log(`escpos-tap: ${name} port disconnected (${err.message}); reopening`));
    }

    let waitingDrain = false;
    till.on("data", (chunk: Buffer) => {
      // 1. the printer, first and unconditionally
      const arrived = performance.now();
      const onForwarded = this.options.onForwarded;
      const more = printer.write(chunk, onForwarded ? () => onForwarded(chunk.length, performance.now() - arrived) : undefined);
      this.counts.forwardedBytes += chunk.length;
      if (!more && !waitingDrain) {
        // the printer is slower than the till: stop reading (the till's flow control holds it) until drained
        waitingDrain = true;
        till.pause();
        printer.once("drain", () => {
          waitingDrain = false;
          till.resume();
        });
      }
      // 2. then the copy
      try {
        parser.push(chunk);
      } catch (err) {
        this.log(`escpos-tap: parser: ${err instanceof Error ? err.message : String(err)}`);
      }
      this.armIdle();
    });
    if (this.options.forwardStatus ?? true) {
      printer.on("data", (chunk: Buffer) => {
        till.write(chunk);
      });
    }

    const timeout = this.options.openTimeoutMs ?? 5000;
    const opened = await Promise.allSettled([till.waitForOpen(timeout), printer.waitForOpen(timeout)]);
    for (const result of opened) {
      if (result.status === "rejected") this.log(`escpos-tap: ${String(result.reason)}; still trying`);
    }
  }

  async stop(): Promise<void> {
    if (!this.till || !this.printer) return;
    this.stopping = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const till = this.till;
    const printer = this.printer;
    this.till = null;
    this.printer = null;
    await till.close();
    // whatever the till sent is printed before the printer port closes
    await new Promise<void>((resolve) => {
      if (printer.writableLength === 0) resolve();
      else printer.once("drain", () => resolve());
    });
    await printer.drainPort().catch(() => undefined);
    await printer.close();
    this.parser?.flush();
    this.parser = null;
    await this.queue;
  }

  private armIdle(): void {
    const ms = this.options.idleReceiptMs;
    if (!ms) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.parser?.pending) this.parser.flush();
    }, ms);
  }

  private receipt(receipt: EscposReceipt): void {
    this.counts.receipts += 1;
    const seenAt = (this.options.now ?? (() => new Date()))();
    const read = readReceipt(receipt.lines, this.patterns, seenAt);
    if (!read.ok) {
      this.counts.unreadable += 1;
      const reason = receipt.end === "GS V" ? read.reason : `${read.reason} (ended by ${receipt.end}, not a cut)`;
      this.unreadable({ source: this.source, raw: receipt.text, reason });
      return;
    }
    const transaction = read.transaction;
    this.queue = this.queue.then(() => this.deliver(transaction));
  }

  private unreadable(receipt: UnreadableReceipt): void {
    try {
      if (this.options.onUnreadable) this.options.onUnreadable(receipt);
      else if (this.options.context) this.options.context.reject(receipt);
      else this.log(`escpos-tap: unreadable receipt (${receipt.reason}):\n${receipt.raw}`);
    } catch (err) {
      this.log(`escpos-tap: recording an unreadable receipt failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Hands one transaction to the outbox, retrying (in order) until it is committed. */
  private async deliver(transaction: ParsedTransaction): Promise<void> {
    const onTransaction = this.onTransaction;
    if (!onTransaction) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await onTransaction(transaction);
        this.counts.transactions += 1;
        return;
      } catch (err) {
        this.log(`escpos-tap: outbox refused receipt ${transaction.receiptNo} (attempt ${attempt}): ${err instanceof Error ? err.message : String(err)}`);
        if (this.stopping && attempt >= 3) {
          this.unreadable({ source: this.source, raw: JSON.stringify(transaction), reason: "outbox refused it at shutdown" });
          return;
        }
        await Bun.sleep(this.options.retryMs ?? 1000);
      }
    }
  }

  private log(message: string): void {
    if (this.options.context) this.options.context.log(message);
    else console.error(message);
  }
}
