// The load parameters both bench processes share: flags (--duration 3) win over the environment
// (BENCH_DURATION=3), which wins over the defaults. A bad value stops the bench with one line.
export interface LoadParams {
  /** Seconds each target is measured per round. */
  duration: number;
  /** Requests in flight at once, each on its own kept-alive connection. */
  concurrency: number;
  /** Measured rounds; every round runs every target once, in alternating order. */
  rounds: number;
  /** Seconds each target is run, unmeasured, before the first round. */
  warmup: number;
}

export const defaultParams: LoadParams = { duration: 3, concurrency: 32, rounds: 5, warmup: 1 };

const rules: Record<keyof LoadParams, { env: string; integer: boolean; min: number }> = {
  duration: { env: "BENCH_DURATION", integer: false, min: 0.1 },
  concurrency: { env: "BENCH_CONCURRENCY", integer: true, min: 1 },
  rounds: { env: "BENCH_ROUNDS", integer: true, min: 1 },
  warmup: { env: "BENCH_WARMUP", integer: false, min: 0 },
};

export class UsageError extends Error {}

/** The flags a bench entry accepts: `--name value` or `--name=value`. Repeated flags are kept in order. */
export function readFlags(argv: readonly string[], known: readonly string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !known.includes(match[1]!)) throw new UsageError(`bench: unknown argument ${JSON.stringify(arg)} (known: ${known.map((k) => `--${k}`).join(", ")})`);
    const name = match[1]!;
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`bench: --${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return flags;
}

export const paramFlags = Object.keys(rules) as (keyof LoadParams)[];

export function loadParams(flags: Map<string, string[]>, env: Record<string, string | undefined>): LoadParams {
  const params = { ...defaultParams };
  for (const name of paramFlags) {
    const rule = rules[name];
    const raw = flags.get(name)?.at(-1) ?? env[rule.env];
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < rule.min || (rule.integer && !Number.isInteger(value))) {
      throw new UsageError(`bench: --${name} / ${rule.env} must be ${rule.integer ? "a whole number" : "a number"} ≥ ${rule.min} (got ${JSON.stringify(raw)})`);
    }
    params[name] = value;
  }
  return params;
}

/** The flags that hand `params` on to another bench process. */
export function paramsToArgs(params: LoadParams): string[] {
  return paramFlags.flatMap((name) => [`--${name}`, String(params[name])]);
}
