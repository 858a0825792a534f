// The ecr driver: framed transactions from a payment terminal or till on one serial port
// (docs/ecr-frames.md). A frame is ACKed only after the agent's outbox has committed its transaction;
// a bad LRC, a malformed payload, a partial frame that times out or an outbox failure is NAKed (the
// sender retransmits). A retransmission of the last committed frame (same sequence byte, same
// payload) is ACKed again but not delivered twice — also across agent restarts, through the
// driver cursor committed with the transaction.
import { createHash } from "node:crypto";
import { ReconnectingPort, type ReconnectingPortOptions } from "../serial/port.ts";
import type { Driver, DriverContext, OnTransaction } from "./driver.ts";
import { ACK, decodeTransactionPayload, EcrFrameReader, encodeFrame, FIRST_SEQUENCE, NAK, nextSequence, type FrameEvent } from "./ecr-frames.ts";

export interface RejectedFrame {
  source: string;
  /** The frame's payload as text (or the raw bytes in hex for framing errors). */
  raw: string;
  reason: string;
}

export interface EcrOptions {
  port: ReconnectingPortOptions;
  /** Currency for payloads without one (default "CNY"). */
  currency?: string;
  interByteTimeoutMs?: number;
  maxPayloadBytes?: number;
  /** Frames NAKed for their content (malformed payload); defaults to `context.reject`. */
  onRejected?: (frame: RejectedFrame) => void;
  context?: Pick<DriverContext, "reject" | "log"> & Partial<Pick<DriverContext, "cursor">>;
  openTimeoutMs?: number;
  now?: () => Date;
}

const payloadHash = (payload: Uint8Array) => createHash("sha256").update(payload).digest("hex");
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

export class EcrDriver implements Driver {
  private readonly options: EcrOptions;
  private readonly source: string;
  private readonly cursorKey: string;
  private port: ReconnectingPort | null = null;
  private reader: EcrFrameReader;
  private onTransaction: OnTransaction | null = null;
  private queue: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** `${seq}:${sha256(payload)}` of the last committed frame, and of the one being committed. */
  private last: string | null = null;
  private inFlight: string | null = null;
  private lastRejected: string | null = null;
  readonly counts = { frames: 0, delivered: 0, duplicates: 0, coalesced: 0, acks: 0, naks: 0 };

  constructor(options: EcrOptions) {
    this.options = options;
    this.source = `ecr:${options.port.path}`;
    this.cursorKey = `ecr:${options.port.path}`;
    this.reader = this.newReader();
  }

  private newReader(): EcrFrameReader {
    return new EcrFrameReader({ interByteTimeoutMs: this.options.interByteTimeoutMs, maxPayloadBytes: this.options.maxPayloadBytes });
  }

  async start(onTransaction: OnTransaction): Promise<void> {
    if (this.port) throw new Error("ecr: already started");
    this.onTransaction = onTransaction;
    this.last = this.options.context?.cursor?.(this.cursorKey) ?? null;
    this.reader = this.newReader();
    const port = new ReconnectingPort(this.options.port);
    this.port = port;
    port.on("error", (err: Error) => this.log(`ecr: port: ${err.message}`));
    port.on("portError", (err: Error) => this.log(`ecr: port: ${err.message}`));
    port.on("disconnect", (err: Error) => this.log(`ecr: port disconnected (${err.message}); reopening`));
    port.on("data", (chunk: Buffer) => {
      for (const event of this.reader.push(chunk, Date.now())) this.event(event);
      this.armTimer();
    });
    await port.waitForOpen(this.options.openTimeoutMs ?? 5000).catch((err: unknown) => this.log(`ecr: ${String(err)}; still trying`));
  }

  async stop(): Promise<void> {
    const port = this.port;
    if (!port) return;
    this.port = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.queue;
    await port.drainPort().catch(() => undefined);
    await port.close();
  }

  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const deadline = this.reader.deadline;
    if (deadline === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const event = this.reader.expire(Date.now());
      if (event) this.event(event);
      else this.armTimer();
    }, Math.max(1, deadline - Date.now()));
  }

  private event(event: FrameEvent): void {
    if (event.type === "bad") {
      this.log(`ecr: ${event.reason === "timeout" ? "partial frame timed out" : `bad frame (${event.reason})`}: ${hex(event.raw)}; NAK`);
      this.queue = this.queue.then(() => this.answer(NAK));
      return;
    }
    this.counts.frames += 1;
    const id = `${String.fromCharCode(event.seq)}:${payloadHash(event.payload)}`;
    if (id === this.inFlight) {
      // the sender gave up waiting and retransmitted while the outbox commits: one ACK answers both
      this.counts.coalesced += 1;
      return;
    }
    this.queue = this.queue.then(() => this.frame(id, event.payload));
  }

  private async frame(id: string, payload: Uint8Array): Promise<void> {
    if (id === this.last) {
      this.counts.duplicates += 1;
      await this.answer(ACK);
      return;
    }
    const now = (this.options.now ?? (() => new Date()))();
    const decoded = decodeTransactionPayload(payload, { currency: this.options.currency ?? "CNY", at: now.toISOString() });
    if (!decoded.ok) {
      if (id !== this.lastRejected) {
        this.lastRejected = id;
        this.rejected({ source: this.source, raw: new TextDecoder().decode(payload), reason: decoded.reason });
      }
      await this.answer(NAK);
      return;
    }
    const onTransaction = this.onTransaction;
    if (!onTransaction) return;
    this.inFlight = id;
    try {
      await onTransaction(decoded.transaction, { key: this.cursorKey, value: id });
    } catch (err) {
      this.inFlight = null;
      this.log(`ecr: outbox refused receipt ${decoded.transaction.receiptNo}: ${err instanceof Error ? err.message : String(err)}; NAK`);
      await this.answer(NAK);
      return;
    }
    this.inFlight = null;
    this.last = id;
    this.counts.delivered += 1;
    await this.answer(ACK);
  }

  private answer(byte: number): Promise<void> {
    const port = this.port;
    if (byte === ACK) this.counts.acks += 1;
    else this.counts.naks += 1;
    if (!port) return Promise.resolve();
    return new Promise((resolve) => {
      port.write(Buffer.from([byte]), (err) => {
        if (err) this.log(`ecr: writing ${byte === ACK ? "ACK" : "NAK"} failed: ${err.message}`);
        resolve();
      });
    });
  }

  private rejected(frame: RejectedFrame): void {
    try {
      if (this.options.onRejected) this.options.onRejected(frame);
      else if (this.options.context) this.options.context.reject(frame);
      else this.log(`ecr: rejected frame (${frame.reason}): ${frame.raw}`);
    } catch (err) {
      this.log(`ecr: recording a rejected frame failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private log(message: string): void {
    if (this.options.context) this.options.context.log(message);
    else console.error(message);
  }
}

/** Anything the sender can write frames to and read ACK/NAK from (a serial port stream). */
export interface ByteDuplex {
  write(chunk: Uint8Array, callback?: (err?: Error | null) => void): unknown;
  on(event: "data", listener: (chunk: Buffer) => void): unknown;
  off(event: "data", listener: (chunk: Buffer) => void): unknown;
}

export interface SendResult {
  attempts: number;
  naks: number;
  timeouts: number;
}

/**
 * The till/terminal side (for simulators, tests, and a till the agent relays to): sends a frame and
 * retransmits it — same sequence byte — on NAK or when no answer comes within `ackTimeoutMs`.
 * `tamper` lets a test damage an attempt on the wire.
 */
export class EcrSender {
  private seq = FIRST_SEQUENCE - 1;
  private readonly ackTimeoutMs: number;
  private readonly retries: number;

  constructor(private readonly port: ByteDuplex, options: { ackTimeoutMs?: number; retries?: number } = {}) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 2000;
    this.retries = options.retries ?? 3;
  }

  /** The sequence byte the next send() uses. */
  get nextSeq(): number {
    return nextSequence(this.seq);
  }

  async send(payload: Uint8Array, tamper?: (frame: Uint8Array, attempt: number) => Uint8Array): Promise<SendResult> {
    this.seq = nextSequence(this.seq);
    const frame = encodeFrame(this.seq, payload);
    const result: SendResult = { attempts: 0, naks: 0, timeouts: 0 };
    while (result.attempts <= this.retries) {
      result.attempts += 1;
      const wire = tamper ? tamper(frame, result.attempts) : frame;
      const answer = await this.exchange(wire);
      if (answer === ACK) return result;
      if (answer === NAK) result.naks += 1;
      else result.timeouts += 1;
    }
    throw Object.assign(new Error(`ecr: frame not acknowledged after ${result.attempts} attempts`), { result });
  }

  private exchange(wire: Uint8Array): Promise<number | null> {
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        for (const byte of chunk) {
          if (byte === ACK || byte === NAK) {
            done(byte);
            return;
          }
        }
      };
      const timer = setTimeout(() => done(null), this.ackTimeoutMs);
      const done = (answer: number | null) => {
        clearTimeout(timer);
        this.port.off("data", onData);
        resolve(answer);
      };
      this.port.on("data", onData);
      this.port.write(wire, (err) => {
        if (err) {
          clearTimeout(timer);
          this.port.off("data", onData);
          reject(err);
        }
      });
    });
  }
}
