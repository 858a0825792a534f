// The live fan-out bench's latency statistics: per room size, from the send times and every participant's
// receive times, the latency percentiles, the first and last participant per message, and the spread
// across and inside the receiver processes.
import type { Span } from "./live-fanout-cpu.ts";
import { percentile } from "./stats.ts";

export interface SizeResult {
  n: number;
  processes: number;
  joinSeconds: number;
  settleSeconds: number;
  probeSeconds: number;
  expected: number;
  received: number;
  duplicates: number;
  unreadable: number;
  /** sendData calls that answered false (room not running) or threw. */
  sendFailures: string[];
  latency: { p50: number; p90: number; p99: number; max: number };
  /** Per message, ms after its sendData call started: the first and the last participant to receive it. */
  firstP50: number;
  lastP50: number;
  /** Per message: how long after the first receiver process got it the last one got it (p50 over messages). */
  crossProcessP50: number;
  /** Per message: the widest first-to-last spread inside one receiver process (p50 over messages). */
  inProcessP50: number;
  /** Receipts that came in before their sendData call had returned. */
  beforeReturnShare: number;
  sendCall: { p50: number; p99: number; max: number };
  idle: Span;
  busy: Span;
}

/** One timed sendData call: when it started and returned (wall clock), and whether the server took the packet. */
export interface SendRecord {
  sentAt: number;
  returnedAt: number;
  ok: boolean;
  error?: string;
}

type DeliveryStats = Pick<
  SizeResult,
  "received" | "sendFailures" | "latency" | "firstP50" | "lastP50" | "crossProcessP50" | "inProcessP50" | "beforeReturnShare" | "sendCall"
>;

const sortedOf = (values: number[]) => Float64Array.from(values).sort();

/**
 * The figures of one size's timed messages: `sends[id]` is message `id`'s call, `receipts` maps identity →
 * message id → receive time, and each receiver holds the identities of its participants.
 */
export function deliveryStats(
  sends: readonly SendRecord[],
  receivers: readonly { readonly identities: readonly string[] }[],
  receipts: ReadonlyMap<string, ReadonlyMap<number, number>>,
): DeliveryStats {
  const latencies: number[] = [];
  const firsts: number[] = [];
  const lasts: number[] = [];
  const crossProcess: number[] = [];
  const inProcess: number[] = [];
  let beforeReturn = 0;
  for (let id = 0; id < sends.length; id++) {
    const send = sends[id]!;
    const perProcess: { first: number; last: number }[] = [];
    for (const receiver of receivers) {
      let first = Number.POSITIVE_INFINITY;
      let last = Number.NEGATIVE_INFINITY;
      for (const identity of receiver.identities) {
        const at = receipts.get(identity)?.get(id);
        if (at === undefined) continue;
        const latency = at - send.sentAt;
        latencies.push(latency);
        if (at < send.returnedAt) beforeReturn++;
        first = Math.min(first, latency);
        last = Math.max(last, latency);
      }
      if (Number.isFinite(first)) perProcess.push({ first, last });
    }
    if (perProcess.length === 0) continue;
    firsts.push(Math.min(...perProcess.map((p) => p.first)));
    lasts.push(Math.max(...perProcess.map((p) => p.last)));
    crossProcess.push(Math.max(...perProcess.map((p) => p.first)) - Math.min(...perProcess.map((p) => p.first)));
    inProcess.push(Math.max(...perProcess.map((p) => p.last - p.first)));
  }
  const lat = sortedOf(latencies);
  const callDurations = sortedOf(sends.map((s) => s.returnedAt - s.sentAt));
  return {
    received: latencies.length,
    sendFailures: sends.filter((s) => !s.ok).map((s) => s.error ?? "failed"),
    latency: { p50: percentile(lat, 50), p90: percentile(lat, 90), p99: percentile(lat, 99), max: percentile(lat, 100) },
    firstP50: percentile(sortedOf(firsts), 50),
    lastP50: percentile(sortedOf(lasts), 50),
    crossProcessP50: percentile(sortedOf(crossProcess), 50),
    inProcessP50: percentile(sortedOf(inProcess), 50),
    beforeReturnShare: latencies.length ? beforeReturn / latencies.length : Number.NaN,
    sendCall: { p50: percentile(callDurations, 50), p99: percentile(callDurations, 99), max: percentile(callDurations, 100) },
  };
}
