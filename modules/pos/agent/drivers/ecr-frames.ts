// ECR framing (see docs/ecr-frames.md): STX SEQ PAYLOAD ETX LRC.
//   STX 0x02 · SEQ one byte '0'–'9' (0x30–0x39), rolling per new frame, kept on retransmission ·
//   PAYLOAD UTF-8 JSON (a transaction; JSON escapes control characters, so no 0x02/0x03 byte can
//   occur in it and no DLE escaping is needed) · ETX 0x03 · LRC = XOR of SEQ, every PAYLOAD byte
//   and ETX. Answers: ACK 0x06 (committed, or a duplicate of the last committed frame), NAK 0x15.
// Pure: no I/O, no timers (the caller passes the clock).
import type { ParsedTransaction } from "./driver.ts";

export const STX = 0x02;
export const ETX = 0x03;
export const ACK = 0x06;
export const NAK = 0x15;
export const FIRST_SEQUENCE = 0x30;

export function isSequence(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** '0' → '1' → … → '9' → '0'. */
export function nextSequence(seq: number): number {
  return seq >= 0x39 || seq < 0x30 ? 0x30 : seq + 1;
}

/** XOR of `bytes` (SEQ + PAYLOAD + ETX for a frame). */
export function lrc(bytes: Iterable<number>): number {
  let value = 0;
  for (const byte of bytes) value ^= byte;
  return value;
}

export function encodeFrame(seq: number, payload: Uint8Array): Uint8Array {
  if (!isSequence(seq)) throw new Error(`ecr: sequence byte must be 0x30–0x39, got 0x${seq.toString(16)}`);
  if (payload.includes(STX) || payload.includes(ETX)) throw new Error("ecr: payload contains STX or ETX");
  const frame = new Uint8Array(payload.length + 4);
  frame[0] = STX;
  frame[1] = seq;
  frame.set(payload, 2);
  frame[payload.length + 2] = ETX;
  frame[payload.length + 3] = lrc(frame.subarray(1, payload.length + 3));
  return frame;
}

/** The JSON payload of a transaction (`at` and `currency` may be left out: the agent fills them in). */
export type EcrTransactionPayload = Omit<ParsedTransaction, "at" | "currency" | "payment"> & {
  at?: string;
  currency?: string;
  payment?: string | null;
};

export function encodeTransactionFrame(seq: number, transaction: EcrTransactionPayload): Uint8Array {
  return encodeFrame(seq, new TextEncoder().encode(JSON.stringify(transaction)));
}

export type FrameEvent =
  | { type: "frame"; seq: number; payload: Uint8Array }
  | { type: "bad"; reason: "lrc" | "sequence" | "empty" | "overflow" | "timeout"; raw: Uint8Array };

export interface FrameReaderOptions {
  /** Longest payload accepted (bytes, default 64 KiB); longer frames are NAKed and skipped. */
  maxPayloadBytes?: number;
  /** A started frame with no byte for this long is abandoned and NAKed (ms, default 1000). */
  interByteTimeoutMs?: number;
}

/**
 * Splits a byte stream into frames. Bytes outside a frame are ignored; an STX inside a frame
 * abandons the partial frame silently (the sender started over) and starts a new one.
 */
export class EcrFrameReader {
  private readonly maxPayload: number;
  private readonly timeoutMs: number;
  private state: "idle" | "body" | "lrc" | "overflow" = "idle";
  private body: number[] = [];
  private lastByteAt = 0;
  /** Bytes outside any frame, and partial frames abandoned by a new STX. */
  readonly stats = { ignored: 0, abandoned: 0 };

  constructor(options: FrameReaderOptions = {}) {
    this.maxPayload = options.maxPayloadBytes ?? 64 * 1024;
    this.timeoutMs = options.interByteTimeoutMs ?? 1000;
  }

  /** When the partial frame in progress times out (ms on the caller's clock), or null. */
  get deadline(): number | null {
    return this.state === "body" || this.state === "lrc" ? this.lastByteAt + this.timeoutMs : null;
  }

  push(chunk: Uint8Array, now: number): FrameEvent[] {
    const events: FrameEvent[] = [];
    for (const byte of chunk) {
      this.lastByteAt = now;
      switch (this.state) {
        case "idle":
        case "overflow":
          if (byte === STX) this.begin();
          else this.stats.ignored += 1;
          break;
        case "body":
          if (byte === STX) {
            this.stats.abandoned += 1;
            this.begin();
          } else if (byte === ETX) {
            this.state = "lrc";
          } else {
            this.body.push(byte);
            if (this.body.length > this.maxPayload + 1) {
              events.push({ type: "bad", reason: "overflow", raw: Uint8Array.from(this.body.slice(0, 64)) });
              this.body = [];
              this.state = "overflow";
            }
          }
          break;
        case "lrc": {
          const body = this.body;
          this.body = [];
          this.state = "idle";
          const raw = Uint8Array.from([STX, ...body, ETX, byte]);
          if ((lrc(body) ^ ETX) !== byte) events.push({ type: "bad", reason: "lrc", raw });
          else if (body.length === 0) events.push({ type: "bad", reason: "empty", raw });
          else if (!isSequence(body[0]!)) events.push({ type: "bad", reason: "sequence", raw });
          else events.push({ type: "frame", seq: body[0]!, payload: Uint8Array.from(body.slice(1)) });
          break;
        }
      }
    }
    return events;
  }

  /** The timeout event if the partial frame is overdue at `now` (and drops it). */
  expire(now: number): FrameEvent | null {
    const deadline = this.deadline;
    if (deadline === null || now < deadline) return null;
    const raw = Uint8Array.from([STX, ...this.body]);
    this.body = [];
    this.state = "idle";
    return { type: "bad", reason: "timeout", raw };
  }

  private begin(): void {
    this.state = "body";
    this.body = [];
  }
}

const int = (value: unknown, min: number, max: number) => typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
const text = (value: unknown, max: number) => typeof value === "string" && value.trim().length > 0 && value.length <= max;

export type DecodedPayload = { ok: true; transaction: ParsedTransaction } | { ok: false; reason: string };

/**
 * A frame's payload → transaction, with the server's rules (modules/pos/validation.ts) checked here
 * so a frame the server would refuse is NAKed at the till instead.
 */
export function decodeTransactionPayload(payload: Uint8Array, defaults: { currency: string; at: string }): DecodedPayload {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    return { ok: false, reason: "payload is not UTF-8 JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, reason: "payload is not a JSON object" };
  const o = value as Record<string, unknown>;
  if (o.kind !== "sale" && o.kind !== "refund") return { ok: false, reason: "kind must be \"sale\" or \"refund\"" };
  if (!text(o.receiptNo, 64)) return { ok: false, reason: "receiptNo must be 1–64 characters" };
  const at = o.at === undefined ? defaults.at : o.at;
  if (typeof at !== "string" || at.length > 40 || Number.isNaN(Date.parse(at))) return { ok: false, reason: "at must be an ISO 8601 time" };
  if (!Array.isArray(o.lines) || o.lines.length < 1 || o.lines.length > 500) return { ok: false, reason: "lines must hold 1–500 items" };
  const lines: ParsedTransaction["lines"] = [];
  for (const line of o.lines as unknown[]) {
    const l = (typeof line === "object" && line !== null ? line : {}) as Record<string, unknown>;
    if (!text(l.code, 64) || !int(l.quantity, 1, 100_000) || !int(l.unitPriceFen, 0, 1_000_000_000)) {
      return { ok: false, reason: "each line needs code (1–64 chars), quantity (1–100000), unitPriceFen (integer ≥ 0)" };
    }
    lines.push({ code: (l.code as string).trim(), quantity: l.quantity as number, unitPriceFen: l.unitPriceFen as number });
  }
  if (!int(o.totalFen, 0, 100_000_000_000)) return { ok: false, reason: "totalFen must be an integer ≥ 0" };
  const currency = o.currency === undefined ? defaults.currency : o.currency;
  if (typeof currency !== "string" || !/^[A-Z]{3}$/.test(currency)) return { ok: false, reason: "currency must be an ISO 4217 code" };
  const payment = o.payment === undefined ? null : o.payment;
  if (payment !== null && (typeof payment !== "string" || payment.length > 40)) return { ok: false, reason: "payment must be a string of at most 40 characters or null" };
  return {
    ok: true,
    transaction: { kind: o.kind, receiptNo: (o.receiptNo as string).trim(), at: new Date(at).toISOString(), lines, totalFen: o.totalFen as number, currency, payment },
  };
}
