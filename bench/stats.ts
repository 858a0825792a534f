// Small statistics over latency samples and per-round rates.

/** Latency samples in milliseconds, kept in a growing typed array so millions of requests stay cheap. */
export class Samples {
  private values = new Float64Array(1 << 16);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  append(other: Samples): void {
    for (let i = 0; i < other.length; i++) this.push(other.values[i]!);
  }

  /** The samples in ascending order. */
  sorted(): Float64Array {
    return this.values.slice(0, this.length).sort();
  }
}

/** The nearest-rank percentile (0–100) of ascending `sorted`; NaN when there are no samples. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
