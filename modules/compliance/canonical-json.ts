// Canonical JSON: object keys sorted at every depth, no whitespace, so equal data hashes equally.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalise);
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("audit data cannot hold a non-finite number");
      return value;
    case "bigint":
      return value.toString();
    case "object": {
      const out: { [key: string]: Json } = {};
      for (const key of Object.keys(value as object).sort()) {
        const inner = (value as Record<string, unknown>)[key];
        if (inner !== undefined) out[key] = normalise(inner);
      }
      return out;
    }
    default:
      throw new TypeError(`audit data cannot hold a ${typeof value}`);
  }
}
