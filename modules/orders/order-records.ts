// Reading orders back: the shapes pages show, and the store staff check every merchant action makes.
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Queryable } from "../../db/database.ts";
import { afterSales, orderItems, orders, payments } from "../../db/schema/orders-checkout.ts";
import { storeStaff } from "../../db/schema/orders.ts";
import { money, type Money } from "../../src/platform/money.ts";
import { maskPostalAddress } from "../../src/platform/masking.ts";
import type { Sealer } from "../../src/platform/sealing.ts";

export type OrderRow = typeof orders.$inferSelect;
export type OrderStatus = OrderRow["status"];
export type AfterSaleRow = typeof afterSales.$inferSelect;

export interface Address {
  recipient: string;
  phone: string;
  region: string;
  street: string;
}

export interface OrderLine {
  skuId: string;
  productId: string;
  titleZh: string;
  titleEn: string;
  optionZh: string;
  optionEn: string;
  skuCode: string;
  unitPrice: Money;
  quantity: number;
  discount: Money;
}

export interface Order {
  id: string;
  number: string;
  userId: string;
  storeId: string;
  channel: OrderRow["channel"];
  liveSessionId: string | null;
  status: OrderStatus;
  paymentMethod: OrderRow["paymentMethod"];
  subtotal: Money;
  discount: Money;
  /** The part of `discount` paid with membership points. */
  pointsDiscount: Money;
  /** A group-buy order whose group has not filled yet: it ships once it does. */
  awaitingGroup: boolean;
  shipping: Money;
  total: Money;
  carrier: string | null;
  trackingNumber: string | null;
  createdAt: Date;
  expiresAt: Date;
  paidAt: Date | null;
  shippedAt: Date | null;
  lines: OrderLine[];
  afterSales: AfterSaleRow[];
  /** The provider's reference of the card payment, if one was started. */
  cardPaymentRef: string | null;
}

export interface OrderWithAddress extends Order {
  address: Address;
}

/** An order as staff and officers see it: the address masked until someone reveals it (address-reveal.ts). */
export interface OrderWithMaskedAddress extends Order {
  maskedAddress: Address;
}

export async function loadOrders(q: Queryable, rows: OrderRow[]): Promise<Order[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [items, requests, pays] = await Promise.all([
    q.select().from(orderItems).where(inArray(orderItems.orderId, ids)),
    q.select().from(afterSales).where(inArray(afterSales.orderId, ids)).orderBy(desc(afterSales.createdAt)),
    q.select().from(payments).where(and(inArray(payments.orderId, ids), eq(payments.provider, "stripe"))).orderBy(desc(payments.createdAt)),
  ]);
  return rows.map((row) => {
    const m = (fen: number) => money(fen, row.currency);
    return {
      id: row.id,
      number: row.number,
      userId: row.userId,
      storeId: row.storeId,
      channel: row.channel,
      liveSessionId: row.liveSessionId,
      status: row.status,
      paymentMethod: row.paymentMethod,
      subtotal: m(row.subtotalFen),
      discount: m(row.discountFen),
      pointsDiscount: m(row.pointsFen),
      awaitingGroup: row.fulfilmentHold === "group_buy",
      shipping: m(row.shippingFen),
      total: m(row.totalFen),
      carrier: row.carrier,
      trackingNumber: row.trackingNumber,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      paidAt: row.paidAt,
      shippedAt: row.shippedAt,
      lines: items
        .filter((item) => item.orderId === row.id)
        .map((item) => ({ ...item, unitPrice: m(item.unitPriceFen), discount: m(item.discountFen) })),
      afterSales: requests.filter((request) => request.orderId === row.id),
      cardPaymentRef: pays.find((payment) => payment.orderId === row.id)?.providerRef ?? null,
    };
  });
}

export async function withAddress(order: Order, row: OrderRow, sealer: Sealer): Promise<OrderWithAddress> {
  return { ...order, address: JSON.parse(await sealer.open(row.addressSealed)) as Address };
}

export async function maskedAddressOf(addressSealed: string, sealer: Sealer): Promise<Address> {
  return maskPostalAddress(JSON.parse(await sealer.open(addressSealed)) as Address);
}

export interface StoreOrderFilter {
  status?: OrderStatus | "after_sales";
  /** Order number, SKU code or product title. */
  search?: string;
}

export async function isStoreStaff(q: Queryable, storeId: string, userId: string): Promise<boolean> {
  const [row] = await q
    .select({ position: storeStaff.position })
    .from(storeStaff)
    .where(and(eq(storeStaff.storeId, storeId), eq(storeStaff.userId, userId), inArray(storeStaff.position, ["owner", "staff"])));
  return !!row;
}
