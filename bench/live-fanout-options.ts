// The live fan-out bench's parameters: flags (--sizes 10,50) win over the environment
// (BENCH_FANOUT_SIZES=10,50), which wins over the defaults. A bad value stops the bench with one line.
import { readFlags, UsageError } from "./options.ts";

export interface FanoutParams {
  /** Room sizes measured after the N = 1 baseline, ascending. */
  sizes: number[];
  /** Timed messages per size. */
  messages: number;
  /** Milliseconds between the starts of two timed sendData calls. */
  interval: number;
  /** At most this many participants in one receiver process. */
  perProcess: number;
  /** Participants connecting at once in each receiver process. */
  joinConcurrency: number;
  /** The viewers' STUN server: the bench's own on loopback, or the ones LiveKit hands out. */
  iceServers: "local" | "livekit";
}

const defaults: FanoutParams = { sizes: [10, 50, 200], messages: 30, interval: 200, perProcess: 40, joinConcurrency: 4, iceServers: "local" };
type NumberParam = "messages" | "interval" | "perProcess" | "joinConcurrency";
const numberRules: Record<NumberParam, { flag: string; env: string; min: number; max: number }> = {
  messages: { flag: "messages", env: "BENCH_FANOUT_MESSAGES", min: 1, max: 10_000 },
  interval: { flag: "interval", env: "BENCH_FANOUT_INTERVAL_MS", min: 1, max: 60_000 },
  perProcess: { flag: "per-process", env: "BENCH_FANOUT_PER_PROCESS", min: 1, max: 1_000 },
  joinConcurrency: { flag: "join-concurrency", env: "BENCH_FANOUT_JOIN_CONCURRENCY", min: 1, max: 100 },
};
const MAX_SIZE = 2_000;

export function readParams(argv: readonly string[], env: Record<string, string | undefined>): FanoutParams {
  const flags = readFlags(argv, ["sizes", "ice-servers", ...Object.values(numberRules).map((rule) => rule.flag)]);
  const params = { ...defaults };
  const rawSizes = flags.get("sizes")?.at(-1) ?? env.BENCH_FANOUT_SIZES;
  if (rawSizes !== undefined && rawSizes !== "") {
    const sizes = rawSizes.split(",").map((s) => Number(s.trim()));
    if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_SIZE)) {
      throw new UsageError(`bench: --sizes / BENCH_FANOUT_SIZES must be whole numbers from 1 to ${MAX_SIZE}, comma-separated (got ${JSON.stringify(rawSizes)})`);
    }
    params.sizes = sizes;
  }
  // N = 1 is always measured first, as the baseline.
  params.sizes = [...new Set(params.sizes)].filter((n) => n > 1).sort((a, b) => a - b);
  for (const name of Object.keys(numberRules) as NumberParam[]) {
    const rule = numberRules[name];
    const raw = flags.get(rule.flag)?.at(-1) ?? env[rule.env];
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
      throw new UsageError(`bench: --${rule.flag} / ${rule.env} must be a whole number from ${rule.min} to ${rule.max} (got ${JSON.stringify(raw)})`);
    }
    params[name] = value;
  }
  const ice = flags.get("ice-servers")?.at(-1) ?? env.BENCH_FANOUT_ICE_SERVERS;
  if (ice !== undefined && ice !== "") {
    if (ice !== "local" && ice !== "livekit") throw new UsageError(`bench: --ice-servers / BENCH_FANOUT_ICE_SERVERS must be "local" or "livekit" (got ${JSON.stringify(ice)})`);
    params.iceServers = ice;
  }
  return params;
}
