// What the load generator (bench/load.ts) prints as one JSON line on stdout for bench/http.ts to read.
import type { LoadParams } from "./options.ts";

export interface Target {
  name: string;
  path: string;
}

export interface TargetReport extends Target {
  /** Measured responses, errors included (warm-up excluded). */
  requests: number;
  /** Responses that were not 2xx, plus requests that failed or timed out. */
  errors: number;
  /** What went wrong and how often: "HTTP 500", "TimeoutError", … */
  errorKinds: Record<string, number>;
  /** 2xx responses a second, one figure per round. */
  roundRates: number[];
  /** Latency of 2xx responses over all rounds, in milliseconds; null when there were none. */
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Mean body size of 2xx responses. */
  meanBytes: number;
  /** Share of one CPU the load generator used while measuring this target (1 = one core busy). */
  loadCpu: number;
  /** Share of one CPU the server used while measuring this target; null when it could not be read. */
  serverCpu: number | null;
}

export interface LoadReport {
  params: LoadParams;
  baseUrl: string;
  targets: TargetReport[];
}
