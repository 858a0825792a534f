// Re-sealing orders' shipping addresses after a data key rotation (the compliance key rotation runs
// it). An order's address key (address-key.ts) is a fingerprint under the key its address was sealed
// with, so it is recomputed with the re-sealed address: otherwise risk rules counting orders per
// address would not match orders from before the rotation with orders after it.
import { and, eq, gt, notLike } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { orders } from "../../db/schema/orders-checkout.ts";
import { resealRows } from "../../src/platform/resealing.ts";
import { sealedPrefix, type Sealer } from "../../src/platform/sealing.ts";
import { addressKeyOf } from "./address-key.ts";
import type { Address } from "./order-records.ts";

/** Re-seals every shipping address not sealed under the current data key; returns how many orders changed. */
export function resealOrderAddresses({ database, sealer }: { database: Database; sealer: Sealer }): Promise<number> {
  return resealRows(database, {
    stale: (after, limit) =>
      database.db
        .select({ key: orders.id, address: orders.addressSealed, addressKey: orders.addressKey })
        .from(orders)
        .where(and(gt(orders.id, after), notLike(orders.addressSealed, `${sealedPrefix(sealer.currentKeyId)}%`)))
        .orderBy(orders.id)
        .limit(limit),
    async reseal(row) {
      const address = await sealer.open(row.address);
      // Erased addresses and orders from before address keys have none, and get none.
      return { address: await sealer.seal(address), addressKey: row.addressKey === null ? null : await addressKeyOf(sealer, JSON.parse(address) as Address) };
    },
    async write(tx, row, update) {
      const changed = await tx
        .update(orders)
        .set({ addressSealed: update.address, addressKey: update.addressKey })
        .where(and(eq(orders.id, row.key), eq(orders.addressSealed, row.address)));
      return changed.rowsAffected === 1;
    },
  });
}
