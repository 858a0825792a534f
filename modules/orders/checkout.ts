// Placing an order: one write transaction that prices every line from the catalog (never from the
// client), applies the coupon, takes the units from the one stock and writes the order. In a live
// room, a SKU with a running flash sale in that session is priced at the sale price and also takes
// units from the sale (refused when they are gone: never silently at the regular price). The
// idempotency key makes a repeated submit (double tap, retry after a timeout) return the first order.
import { and, eq, inArray } from "drizzle-orm";
import type { Database, Queryable } from "../../db/database.ts";
import { isUniqueViolation } from "../../db/constraints.ts";
import { cartItems, orderItems, orders, payments } from "../../db/schema/orders-checkout.ts";
import { products, skus } from "../../db/schema/orders.ts";
import type { AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { BadRequest } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import type { Logger } from "../../src/platform/logging.ts";
import type { Money } from "../../src/platform/money.ts";
import type { Sealer } from "../../src/platform/sealing.ts";
import { addressKeyOf } from "./address-key.ts";
import { couponTerms as couponTermsOf, type Coupons } from "./coupons.ts";
import { runningFlashSales, takeFlashSaleUnits } from "./flash-sales.ts";
import { CheckoutRefused, CouponRefused, OrderNotFound, OrderStateConflict, PaymentUnavailable, ProductUnavailable } from "./errors.ts";
import { loadOrders, type Address, type Order } from "./order-records.ts";
import type { CardPayments, StartedPayment } from "./payments/provider.ts";
import { priceOrder, withPointsDiscount } from "./pricing.ts";
import type { CheckoutExtensions, GroupSeat } from "./checkout-extensions.ts";
import type { Risk } from "./risk.ts";
import { takeStock } from "./stock.ts";

export interface OrderSettings {
  cardPaymentMinutes: number;
  offlinePaymentMinutes: number;
  /** A Stripe test account: the pay page confirms with Stripe's test card instead of collecting one. */
  cardTestMode?: boolean;
  /** Stripe's publishable key: the order page collects the card with Stripe.js (the Payment Element). */
  cardPublishableKey?: string;
  /** Behind a reverse proxy (TRUST_PROXY): the client's IP is the last X-Forwarded-For entry, else the socket's. */
  trustProxy?: boolean;
  /** A header the platform sets with the client's address (Workers: "cf-connecting-ip"); it wins over the rest. */
  clientIpHeader?: string;
}

export interface CheckoutInput {
  userId: string;
  idempotencyKey: string;
  lines: readonly { skuId: string; quantity: number }[];
  address: Address;
  couponCode: string | null;
  paymentMethod: "card" | "offline";
  channel: "storefront" | "live";
  liveSessionId: string | null;
  /** Remove the ordered SKUs from the shopper's cart in the same transaction. */
  fromCart: boolean;
  /** Where the order was placed from, for the risk rules: the client's IP and the bc_device browser id. */
  clientIp?: string | null;
  clientDevice?: string | null;
  /** Membership points to spend on this order (1 point = 1 fen off), within the wallet's cap. */
  points?: number;
  /** A group-buy seat (拼团): the single line is priced by the group offer, and the order waits for the group to fill before it ships. */
  groupBuy?: { offerId: string; groupId: string | null } | null;
}

export interface Quote {
  subtotal: Money;
  discount: Money;
  shipping: Money;
  total: Money;
  /** The coupon's minimum spend, for the refusal message. */
  minSpend: Money | null;
  couponRefusal: CouponRefused | null;
  /** The most membership points the shopper may spend on this order (0 without a points wallet). */
  redeemablePoints: number;
  /** What the points the shopper typed take off (0 when none, or more than they may spend); part of `discount`, as on an order. */
  pointsDiscount: Money;
}

export interface CheckoutDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  sealer: Sealer;
  coupons: Coupons;
  cardPayments: CardPayments | null;
  settings: OrderSettings;
  log?: Logger;
  /** Risk control: its check runs in the order's transaction after the order is written (see risk.ts). */
  risk?: Pick<Risk, "prepare">;
  /** Told of every new order after it committed (live rooms show it); its failures never fail the order. */
  onPlaced?: (order: Order) => Promise<void>;
  /** Points and group-buy seats from the social module, bound after it is built. */
  extensions?: CheckoutExtensions;
}

/** "BC2611260482913377": BC, the UTC date, ten random digits. */
export function orderNumber(now: Date): string {
  const date = now.toISOString().slice(2, 10).replaceAll("-", "");
  const digits = Array.from(crypto.getRandomValues(new Uint8Array(10)), (byte) => byte % 10).join("");
  return `BC${date}${digits}`;
}

/** One line per SKU: the same SKU twice in a request is one line with both quantities. */
function mergeLines(lines: CheckoutInput["lines"]): { skuId: string; quantity: number }[] {
  const merged = new Map<string, number>();
  for (const line of lines) merged.set(line.skuId, (merged.get(line.skuId) ?? 0) + line.quantity);
  return [...merged].map(([skuId, quantity]) => ({ skuId, quantity }));
}

/** The running flash sales of the order's SKUs, for an order placed in a live room. */
function flashSalesFor(q: Queryable, input: Pick<CheckoutInput, "channel" | "liveSessionId">, skuIds: string[], now: Date) {
  return input.channel === "live" && input.liveSessionId ? runningFlashSales(q, input.liveSessionId, skuIds, now) : Promise.resolve(new Map<string, { id: string; priceFen: number }>());
}

/**
 * The lines with their SKU and product from the catalog and the price they sell at now: a running
 * flash sale's price in its live session, else the SKU's price. Never a price from the client.
 */
async function priceLines(q: Queryable, input: Pick<CheckoutInput, "channel" | "liveSessionId">, lines: readonly { skuId: string; quantity: number }[], now: Date, seat: GroupSeat | null = null) {
  const skuIds = lines.map((line) => line.skuId);
  // One after the other: `q` may be the order's transaction, which runs one statement at a time.
  const found = await q.select({ sku: skus, product: products }).from(skus).innerJoin(products, eq(products.id, skus.productId)).where(inArray(skus.id, skuIds));
  const sales = await flashSalesFor(q, input, skuIds, now);
  return lines.map((line) => {
    const row = found.find((r) => r.sku.id === line.skuId);
    if (!row || row.product.status !== "published") throw new ProductUnavailable();
    if (seat) {
      if (seat.skuId !== line.skuId || seat.currency !== row.sku.currency) throw new BadRequest("group_offer_mismatch");
      return { ...line, sku: row.sku, product: row.product, productId: row.product.id, unitPriceFen: seat.unitPriceFen, flashSaleId: null, groupPriced: true };
    }
    const sale = sales.get(line.skuId);
    return { ...line, sku: row.sku, product: row.product, productId: row.product.id, unitPriceFen: sale?.priceFen ?? row.sku.priceFen, flashSaleId: sale?.id ?? null, groupPriced: false };
  });
}

export function createCheckout(deps: CheckoutDeps) {
  const { database, audit, clock, sealer, coupons, cardPayments, settings } = deps;
  const extensions = deps.extensions ?? {};

  /** A group-buy order is one line of one unit of the offer's SKU. */
  function groupLine(input: Pick<CheckoutInput, "groupBuy">, lines: { skuId: string; quantity: number }[]) {
    if (!input.groupBuy) return null;
    if (!extensions.groupSeats) throw new BadRequest("group_buy_unavailable");
    if (lines.length !== 1 || lines[0]!.quantity !== 1) throw new CheckoutRefused("group_buy_one_unit");
    return { ...input.groupBuy, skuId: lines[0]!.skuId, groupSeats: extensions.groupSeats };
  }
  const { db } = database;

  async function byKey(userId: string, idempotencyKey: string): Promise<Order | null> {
    const rows = await db.select().from(orders).where(and(eq(orders.userId, userId), eq(orders.idempotencyKey, idempotencyKey)));
    return (await loadOrders(db, rows))[0] ?? null;
  }

  /** The price the checkout page shows before the order is placed; placing it prices everything again. */
  async function quote(input: Pick<CheckoutInput, "userId" | "lines" | "couponCode" | "channel" | "liveSessionId" | "groupBuy" | "points">): Promise<Quote> {
    const lines = mergeLines(input.lines);
    if (lines.length === 0) throw new BadRequest("no_lines");
    const group = groupLine(input, lines);
    const seat = group ? await group.groupSeats.priceOf({ userId: input.userId, offerId: group.offerId, groupId: group.groupId }) : null;
    const priced = await priceLines(db, input, lines, clock.now(), seat);
    const currency = priced[0]!.sku.currency;
    let couponRefusal: CouponRefused | null = null;
    let terms = null;
    if (input.couponCode) {
      try {
        const coupon = await coupons.byCode(input.couponCode);
        coupons.checkUsable(coupon, clock.now(), { storeId: priced[0]!.product.storeId, channel: input.channel, liveSessionId: input.liveSessionId });
        terms = couponTermsOf(coupon);
      } catch (error) {
        if (!(error instanceof CouponRefused)) throw error;
        couponRefusal = error;
      }
    }
    const couponPrice = priceOrder(priced, terms);
    if (couponPrice.couponRefusal) couponRefusal = new CouponRefused(couponPrice.couponRefusal);
    const m = (fen: number) => ({ amount: fen, currency });
    const payableFen = couponPrice.totalFen - couponPrice.shippingFen;
    const redeemablePoints = extensions.points ? await extensions.points.redeemable(input.userId, payableFen, currency) : 0;
    const pointsFen = extensions.points && input.points ? await extensions.points.valueOf(input.userId, input.points, payableFen, currency) : 0;
    const price = withPointsDiscount(couponPrice, priced, pointsFen);
    return { subtotal: m(price.subtotalFen), discount: m(price.discountFen), pointsDiscount: m(price.pointsFen), shipping: m(price.shippingFen), total: m(price.totalFen), minSpend: terms && terms.minSpendFen > 0 ? m(terms.minSpendFen) : null, couponRefusal, redeemablePoints };
  }

  async function placeOrder(input: CheckoutInput): Promise<Order> {
    const earlier = await byKey(input.userId, input.idempotencyKey);
    if (earlier) return earlier;
    if (input.paymentMethod === "card" && !cardPayments) throw new PaymentUnavailable();
    const lines = mergeLines(input.lines);
    if (lines.length === 0) throw new BadRequest("no_lines");
    const group = groupLine(input, lines);
    const points = input.points ?? 0;
    if (!Number.isSafeInteger(points) || points < 0) throw new CheckoutRefused("points_invalid");
    if (points > 0 && !extensions.points) throw new BadRequest("points_unavailable");
    const now = clock.now();
    const id = newId("ord", now.getTime());
    const addressSealed = await sealer.seal(JSON.stringify(input.address));
    const addressKey = await addressKeyOf(sealer, input.address);
    const minutes = input.paymentMethod === "card" ? settings.cardPaymentMinutes : settings.offlinePaymentMinutes;
    const actor = { type: "user" as const, id: input.userId };
    const riskCheck = await deps.risk?.prepare({ channel: input.channel, liveSessionId: input.liveSessionId });
    try {
      await database.write(async (tx) => {
        const seat = group ? await group.groupSeats.take(tx, { userId: input.userId, orderId: id, offerId: group.offerId, groupId: group.groupId, skuId: group.skuId, quantity: 1, now }) : null;
        const priced = await priceLines(tx, input, lines, now, seat);
        const storeId = priced[0]!.product.storeId;
        const currency = priced[0]!.sku.currency;
        if (priced.some((line) => line.product.storeId !== storeId || line.sku.currency !== currency)) throw new BadRequest("one_store_per_order");

        const coupon = input.couponCode
          ? await coupons.claimForOrder(tx, input.userId, input.couponCode, { storeId, channel: input.channel, liveSessionId: input.liveSessionId }, now)
          : null;
        const couponPrice = priceOrder(priced, coupon ? couponTermsOf(coupon.coupon) : null);
        if (couponPrice.couponRefusal) throw new CouponRefused(couponPrice.couponRefusal);
        const pointsFen = points > 0 ? await extensions.points!.spend(tx, { userId: input.userId, orderId: id, storeId, points, payableFen: couponPrice.totalFen - couponPrice.shippingFen, currency, now }) : 0;
        const price = withPointsDiscount(couponPrice, priced, pointsFen);

        for (const line of priced) if (line.flashSaleId) await takeFlashSaleUnits(tx, line.flashSaleId, line.quantity, now);
        for (const line of priced) await takeStock(tx, { skuId: line.skuId, quantity: line.quantity, orderId: id, actorId: input.userId }, now);
        await tx.insert(orders).values({
          id,
          number: orderNumber(now),
          userId: input.userId,
          storeId,
          channel: input.channel,
          liveSessionId: input.liveSessionId,
          status: "pending_payment",
          paymentMethod: input.paymentMethod,
          currency,
          subtotalFen: price.subtotalFen,
          discountFen: price.discountFen,
          shippingFen: price.shippingFen,
          totalFen: price.totalFen,
          couponClaimId: coupon?.claimId ?? null,
          pointsFen: price.pointsFen,
          fulfilmentHold: seat ? "group_buy" : null,
          addressSealed,
          addressKey,
          idempotencyKey: input.idempotencyKey,
          clientIp: input.clientIp ?? null,
          clientDevice: input.clientDevice ?? null,
          createdAt: now,
          expiresAt: new Date(now.getTime() + minutes * 60_000),
        });
        await tx.insert(orderItems).values(
          priced.map((line, i) => ({
            orderId: id,
            skuId: line.skuId,
            productId: line.productId,
            titleZh: line.product.titleZh,
            titleEn: line.product.titleEn,
            optionZh: line.sku.optionZh,
            optionEn: line.sku.optionEn,
            skuCode: line.sku.code,
            unitPriceFen: line.unitPriceFen,
            quantity: line.quantity,
            discountFen: price.lineDiscountsFen[i]!,
            flashSaleId: line.flashSaleId,
          })),
        );
        if (coupon) await coupons.useClaim(tx, coupon.claimId, id, now);
        if (input.fromCart) await tx.delete(cartItems).where(and(eq(cartItems.userId, input.userId), inArray(cartItems.skuId, lines.map((line) => line.skuId))));
        await audit.record(tx, {
          actor,
          action: "order.placed",
          subject: `order:${id}`,
          data: { channel: input.channel, liveSessionId: input.liveSessionId, paymentMethod: input.paymentMethod, totalFen: price.totalFen, discountFen: price.discountFen, couponClaimId: coupon?.claimId ?? null, ...(price.pointsFen ? { pointsFen: price.pointsFen } : {}), ...(seat ? { groupBuy: { offerId: group!.offerId, groupId: seat.groupId } } : {}), lines: priced.map(({ skuId, quantity, flashSaleId }) => (flashSaleId ? { skuId, quantity, flashSaleId } : { skuId, quantity })) },
        });
        // After the order row: orders committed in the same moment (group commit) count each other.
        await riskCheck?.(tx, { orderId: id, userId: input.userId, channel: input.channel, liveSessionId: input.liveSessionId, clientIp: input.clientIp ?? null, clientDevice: input.clientDevice ?? null, addressKey, usedCoupon: coupon !== null }, now);
      });
    } catch (error) {
      // Another instance committed the same key first: that order is the answer.
      if (isUniqueViolation(error, "idempotency_key")) {
        const first = await byKey(input.userId, input.idempotencyKey);
        if (first) return first;
      }
      throw error;
    }
    if (input.paymentMethod === "card") {
      // Outside the order's transaction: a slow or failing provider must not hold the write lock.
      // If this fails, the pay page starts the payment again (the provider call is idempotent).
      const placed = (await byKey(input.userId, input.idempotencyKey))!;
      await startCardPayment(placed).catch((error: Error) => deps.log?.warn("card payment not started", { orderId: id, error: error.message }));
    }
    const order = (await byKey(input.userId, input.idempotencyKey))!;
    await deps.onPlaced?.(order).catch((error: Error) => deps.log?.warn("order listener failed", { orderId: id, error: error.message }));
    return order;
  }

  /** Starts (or finds) the card payment of an unpaid order. */
  async function startCardPayment(order: Order): Promise<StartedPayment> {
    if (!cardPayments) throw new PaymentUnavailable();
    if (order.status !== "pending_payment") throw new OrderStateConflict("not_awaiting_payment");
    const started = await cardPayments.start({ orderId: order.id, orderNumber: order.number, amount: order.total, description: `Broadcart order ${order.number}` });
    const now = clock.now();
    await database.write(async (tx) => {
      const [known] = await tx.select({ id: payments.id }).from(payments).where(eq(payments.providerRef, started.providerRef));
      if (known) return;
      await tx.insert(payments).values({ id: newId("pay", now.getTime()), orderId: order.id, provider: "stripe", providerRef: started.providerRef, status: "pending", amountFen: order.total.amount, currency: order.total.currency, createdAt: now, updatedAt: now });
      await audit.record(tx, { actor: { type: "user", id: order.userId }, action: "payment.started", subject: `order:${order.id}`, data: { provider: "stripe", providerRef: started.providerRef, amountFen: order.total.amount } });
    });
    return started;
  }

  async function orderOf(userId: string, orderId: string): Promise<Order> {
    const rows = await db.select().from(orders).where(and(eq(orders.id, orderId), eq(orders.userId, userId)));
    const [order] = await loadOrders(db, rows);
    if (!order) throw new OrderNotFound();
    return order;
  }

  return { quote, placeOrder, startCardPayment, orderOf };
}

export type Checkout = ReturnType<typeof createCheckout>;
