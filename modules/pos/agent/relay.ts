// Sends the outbox to the server in signed batches (POST /pos/v1/ingest) and deletes what the server
// acknowledges by (device, sequence). Network errors and 5xx: exponential backoff with full jitter
// (base 500 ms, cap 60 s), reset after a success; works after any time offline. 401 (device revoked,
// unknown, or the secret does not verify): the relay stops with a clear error. Woken at once when a
// transaction is appended.
import { signedHeaders, type IngestAnswer, type StoreTransaction } from "../protocol.ts";
import type { Credentials } from "./credentials.ts";
import type { Outbox } from "./outbox.ts";

export const INGEST_PATH = "/pos/v1/ingest";
/** The server refuses bodies above 2 MB (modules/pos/validation.ts MAX_BODY_BYTES); stay well below. */
const MAX_BODY_BYTES = 1_500_000;

export interface RelayOptions {
  server: string;
  credentials: Pick<Credentials, "deviceId" | "secret">;
  outbox: Outbox;
  batchSize?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  log?: (message: string) => void;
  fetch?: typeof fetch;
  random?: () => number;
}

export class RelayStopped extends Error {}

/** Full jitter: a uniformly random delay in [0, min(cap, base·2^attempt)). */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 40));
  return Math.floor(random() * ceiling);
}

type Outcome = { kind: "acked"; count: number } | { kind: "retry"; reason: string } | { kind: "fatal"; reason: string } | { kind: "invalid"; reason: string };

export class Relay {
  private readonly batchSize: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly log: (message: string) => void;
  private readonly fetcher: typeof fetch;
  private readonly random: () => number;
  private readonly url: string;
  private readonly path: string;
  private running = false;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private loop: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private failures = 0;
  private abort: AbortController | null = null;
  /** Set when the relay stopped because the server refused the device. */
  fatal: Error | null = null;
  sent = 0;

  constructor(private readonly options: RelayOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.log = options.log ?? ((message) => console.error(message));
    this.fetcher = options.fetch ?? fetch;
    this.random = options.random ?? Math.random;
    this.url = `${options.server.replace(/\/+$/, "")}${INGEST_PATH}`;
    this.path = new URL(this.url).pathname;
  }

  /** Starts the loop; the returned promise of `done()` settles when it stops (rejects on a fatal refusal). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.options.outbox.onAppend(() => this.wake());
    this.loop = this.run();
  }

  /** Settles when the loop ends: resolves after stop(), rejects with RelayStopped on a 401. */
  done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.abort?.abort();
    this.wake();
    await this.loop?.catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  private async run(): Promise<void> {
    let limit = this.batchSize;
    while (this.running) {
      this.woken = false;
      const batch = this.nextBatch(limit);
      if (batch.length === 0) {
        if (!this.woken) await this.sleep(60_000);
        continue;
      }
      const outcome = await this.send(batch);
      if (!this.running) return;
      if (outcome.kind === "acked") {
        this.failures = 0;
        limit = this.batchSize;
        continue;
      }
      if (outcome.kind === "fatal") {
        this.running = false;
        this.unsubscribe?.();
        this.fatal = new RelayStopped(outcome.reason);
        throw this.fatal;
      }
      if (outcome.kind === "invalid") {
        // The server refuses the batch's content. Narrow down to the one transaction at fault and
        // keep it aside (in `rejected`, not deleted) so it does not block every later sale.
        if (batch.length > 1) {
          limit = Math.max(1, Math.floor(batch.length / 2));
          continue;
        }
        this.options.outbox.quarantine(batch[0]!.sequence, outcome.reason);
        this.log(`relay: server refused transaction ${batch[0]!.sequence} (${outcome.reason}); kept in the outbox's rejected table`);
        limit = this.batchSize;
        continue;
      }
      const delay = backoffDelay(this.failures, this.baseDelayMs, this.maxDelayMs, this.random);
      this.failures += 1;
      if (this.failures === 1 || this.failures % 10 === 0) this.log(`relay: ${outcome.reason}; ${this.options.outbox.pendingCount()} waiting, retrying in ${delay} ms (attempt ${this.failures})`);
      await this.sleepUninterrupted(delay);
    }
  }

  /** Backoff is not cut short by new appends (they would hammer a server that is down); only stop() ends it. */
  private async sleepUninterrupted(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.running && Date.now() < until) await this.sleep(until - Date.now());
  }

  private nextBatch(limit: number): StoreTransaction[] {
    const batch = this.options.outbox.pending(limit);
    let bytes = 0;
    for (let i = 0; i < batch.length; i += 1) {
      bytes += JSON.stringify(batch[i]).length + 1;
      if (bytes > MAX_BODY_BYTES && i > 0) return batch.slice(0, i);
    }
    return batch;
  }

  private async send(batch: StoreTransaction[]): Promise<Outcome> {
    const { deviceId, secret } = this.options.credentials;
    const body = JSON.stringify({ deviceId, transactions: batch });
    let response: Response;
    this.abort = new AbortController();
    const timer = setTimeout(() => this.abort?.abort(), this.timeoutMs);
    try {
      const headers = await signedHeaders(deviceId, secret, "POST", this.path, body);
      response = await this.fetcher(this.url, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body, signal: this.abort.signal });
    } catch (error) {
      clearTimeout(timer);
      return { kind: "retry", reason: `cannot reach ${this.url}: ${(error as Error).message}` };
    }
    let text = "";
    try {
      text = await response.text();
    } catch (error) {
      clearTimeout(timer);
      return { kind: "retry", reason: `answer from ${this.url} cut off: ${(error as Error).message}` };
    }
    clearTimeout(timer);
    const code = errorCode(text);
    if (response.status === 200) {
      let answer: IngestAnswer;
      try {
        answer = JSON.parse(text) as IngestAnswer;
        if (!Array.isArray(answer.acknowledged)) throw new Error("no acknowledged list");
      } catch (error) {
        return { kind: "retry", reason: `unexpected answer from ${this.url}: ${(error as Error).message}` };
      }
      const sent = new Set(batch.map((t) => t.sequence));
      const acked = answer.acknowledged.filter((s) => typeof s === "number" && sent.has(s));
      const removed = this.options.outbox.acknowledge(acked);
      this.sent += removed;
      const conflicts = (answer.conflicts ?? []).filter((s) => typeof s === "number" && sent.has(s));
      if (conflicts.length > 0) {
        const moved = this.options.outbox.renumber(conflicts, answer.lastSequence ?? 0);
        this.log(`relay: the server already holds other receipts under ${conflicts.length} of these sequences (was this outbox rebuilt?); sending them again as ${[...moved.values()].join(", ")}`);
        return { kind: "acked", count: removed };
      }
      if (this.failures > 0) this.log(`relay: server reachable again; ${removed} acknowledged, ${this.options.outbox.pendingCount()} waiting`);
      if (acked.length === 0) return { kind: "retry", reason: "server acknowledged nothing of the batch" };
      return { kind: "acked", count: removed };
    }
    if (response.status === 401 && code === "stale_timestamp") {
      return { kind: "retry", reason: "server refused the request's time: this computer's clock is more than 5 minutes off, fix it (NTP)" };
    }
    if (response.status === 401) {
      return { kind: "fatal", reason: `server refused device ${deviceId} (${code ?? "401"}): it was revoked or its secret does not match; pair again (agent pair <code> --server <url>)` };
    }
    if (response.status === 400 || response.status === 422) return { kind: "invalid", reason: `${response.status} ${code ?? "invalid"}` };
    if (response.status === 413) return batch.length > 1 ? { kind: "invalid", reason: "413 body_too_large" } : { kind: "invalid", reason: "413 transaction too large" };
    // 409 nonce_reused (a fresh nonce next time), 404 (server without the POS routes yet), 429, 5xx.
    return { kind: "retry", reason: `server answered ${response.status}${code ? ` ${code}` : ""}` };
  }
}

function errorCode(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown } };
    return typeof parsed.error?.code === "string" ? parsed.error.code : null;
  } catch {
    return null;
  }
}
