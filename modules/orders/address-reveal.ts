// Revealing an order's shipping address to those who see it masked: staff of the order's store and
// compliance officers. Each reveal states a reason and is audited ("order.address_revealed": who,
// which order, why) in the transaction that opens the seal; the address never enters the audit trail.
import { eq } from "drizzle-orm";
import * as v from "valibot";
import type { Database } from "../../db/database.ts";
import { orders } from "../../db/schema/orders-checkout.ts";
import { BadRequest, Forbidden } from "../../src/platform/errors.ts";
import type { Sealer } from "../../src/platform/sealing.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import { OrderNotFound } from "./errors.ts";
import { isStoreStaff, type Address } from "./order-records.ts";

export const revealPurposes = ["shipping", "delivery_problem", "customer_contact", "other"] as const;
export const REVEAL_NOTE_MIN_LENGTH = 4;
export const REVEAL_NOTE_MAX_LENGTH = 200;

/** A purpose from the list, and a note of its own when the purpose is "other". */
export const revealReasonForm = v.pipe(
  v.object({
    purpose: v.pipe(v.optional(v.string(), ""), v.picklist(revealPurposes, "orders.address.reveal_purpose_required")),
    note: v.pipe(v.optional(v.string(), ""), v.trim(), v.maxLength(REVEAL_NOTE_MAX_LENGTH, "orders.address.reveal_note_invalid")),
  }),
  v.forward(
    v.partialCheck([["purpose"], ["note"]], (reason) => reason.purpose !== "other" || [...reason.note].length >= REVEAL_NOTE_MIN_LENGTH, "orders.address.reveal_note_invalid"),
    ["note"],
  ),
);
export type RevealReason = v.InferOutput<typeof revealReasonForm>;

/** Who the address is revealed to, recorded with the reveal. */
export type RevealedAs = "store_staff" | "officer";

export function createAddressReveal({ database, audit, sealer }: { database: Database; audit: AuditTrail; sealer: Sealer }) {
  async function reveal(actor: Actor, orderId: string, reason: RevealReason, as: RevealedAs): Promise<Address> {
    const checked = v.safeParse(revealReasonForm, reason);
    if (!checked.success) throw new BadRequest("reveal_reason_required");
    const { purpose, note } = checked.output;
    return database.write(async (tx) => {
      const [row] = await tx.select({ storeId: orders.storeId, addressSealed: orders.addressSealed }).from(orders).where(eq(orders.id, orderId));
      if (!row) throw new OrderNotFound();
      if (as === "store_staff" && !(await isStoreStaff(tx, row.storeId, actor.id))) throw new Forbidden();
      const address = JSON.parse(await sealer.open(row.addressSealed)) as Address;
      await audit.record(tx, { actor, action: "order.address_revealed", subject: `order:${orderId}`, data: { as, purpose, note: note === "" ? null : note } });
      return address;
    });
  }

  return {
    /** For staff of the order's store only (Forbidden otherwise). */
    toStoreStaff: (staffId: string, orderId: string, reason: RevealReason) => reveal({ type: "user", id: staffId }, orderId, reason, "store_staff"),
    /** For compliance officers, who read business data; their route admits only their role. */
    toOfficer: (officer: Actor, orderId: string, reason: RevealReason) => reveal(officer, orderId, reason, "officer"),
  };
}

export type AddressReveal = ReturnType<typeof createAddressReveal>;
