import { describe, expect, it } from "bun:test";
import type { Database, Tx } from "../../db/database.ts";
import { resealRows, resealValues, type StaleRows } from "./resealing.ts";
import { createSealer, SealBroken, type Sealer } from "./sealing.ts";

const keyA = { id: "a", key: "key-a-that-is-long-enough-0123456789abcdef" };
const keyB = { id: "b", key: "key-b-that-is-long-enough-0123456789abcdef" };

type Row = { key: string; secret: string | null };

/** Rows in memory behind the StaleRows contract; the keys written in each write transaction are kept. */
function table(rows: Map<string, string | null>, sealer: Sealer) {
  const transactions: string[][] = [];
  let open: string[] | null = null;
  const database = {
    async write<T>(action: (tx: Tx) => Promise<T>) {
      open = [];
      try {
        return await action({} as Tx);
      } finally {
        transactions.push(open);
        open = null;
      }
    },
  } as unknown as Database;
  const stale: StaleRows<Row, { secret: string | null }> = {
    async stale(after, limit) {
      return [...rows]
        .filter(([key, secret]) => key > after && secret !== null && !sealer.isCurrent(secret))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .slice(0, limit)
        .map(([key, secret]) => ({ key, secret }));
    },
    reseal: ({ secret }) => resealValues(sealer, { secret }),
    async write(_tx, row, update) {
      if (!open) throw new Error("written outside a transaction");
      if (rows.get(row.key) !== row.secret) return false;
      rows.set(row.key, update.secret);
      open.push(row.key);
      return true;
    },
  };
  return { database, stale, transactions };
}

describe("re-sealing rows after a key rotation", () => {
  const underA = createSealer({ current: keyA });
  const underB = createSealer({ current: keyB, retired: [keyA] });
  const onlyB = createSealer({ current: keyB });

  it("re-seals every stale row once, a page per write transaction, and leaves current and empty values alone", async () => {
    const rows = new Map<string, string | null>();
    for (const key of ["r1", "r2", "r3", "r4", "r5"]) rows.set(key, await underA.seal(`secret of ${key}`));
    const current = await underB.seal("already current");
    rows.set("r0", current);
    rows.set("r6", null);
    const { database, stale, transactions } = table(rows, underB);

    expect(await resealRows(database, stale, 2)).toBe(5);
    expect(transactions).toEqual([["r1", "r2"], ["r3", "r4"], ["r5"]]);
    for (const key of ["r1", "r2", "r3", "r4", "r5"]) expect(await onlyB.open(rows.get(key)!)).toBe(`secret of ${key}`);
    expect(rows.get("r0")).toBe(current);
    expect(rows.get("r6")).toBeNull();
    expect(await resealRows(database, stale, 2)).toBe(0);
  });

  it("does not count a row that changed between reading and writing", async () => {
    const rows = new Map<string, string | null>([["r1", await underA.seal("one")]]);
    const { database, stale } = table(rows, underB);
    const erasedMeanwhile: typeof stale = {
      ...stale,
      async write(tx, row, update) {
        rows.set(row.key, null);
        return stale.write(tx, row, update);
      },
    };
    expect(await resealRows(database, erasedMeanwhile)).toBe(0);
    expect(rows.get("r1")).toBeNull();
  });

  it("stops at a value no configured key opens, naming its row", async () => {
    const rows = new Map<string, string | null>([["dev_1", await underA.seal("one")]]);
    const { database, stale } = table(rows, onlyB);
    const failure = resealRows(database, stale);
    await expect(failure).rejects.toBeInstanceOf(SealBroken);
    await expect(failure).rejects.toThrow(/^dev_1: sealed under data key "a"/);
  });
});
