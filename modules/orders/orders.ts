// The orders service: cart, coupons, flash sales, checkout, the order lifecycle, after-sales and order queries,
// built together because they share the database, the audit trail and the payment provider.
import { eq } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { cartItems, orders as ordersTable } from "../../db/schema/orders-checkout.ts";
import type { AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import type { Logger } from "../../src/platform/logging.ts";
import type { Sealer } from "../../src/platform/sealing.ts";
import { createAddressReveal } from "./address-reveal.ts";
import { createAfterSales } from "./after-sales.ts";
import { createCart } from "./cart.ts";
import type { Catalog } from "./catalog.ts";
import { createCheckout, type OrderSettings } from "./checkout.ts";
import { createCoupons } from "./coupons.ts";
import { createFlashSales } from "./flash-sales.ts";
import { createLifecycle } from "./lifecycle.ts";
import { combineOrderEvents, type OrderEvents } from "./order-events.ts";
import type { CheckoutExtensions } from "./checkout-extensions.ts";
import { createGroupOrders } from "./group-orders.ts";
import { createOrderQueries } from "./order-queries.ts";
import { isStoreStaff } from "./order-records.ts";
import { createStoreSales } from "./store-sales.ts";
import { createRisk } from "./risk.ts";
import { resealOrderAddresses } from "./reseal.ts";
import type { CardPayments } from "./payments/provider.ts";
import type { Order } from "./order-records.ts";
import { PaymentUnavailable } from "./errors.ts";

export interface OrdersDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  catalog: Catalog;
  sealer: Sealer;
  cardPayments: CardPayments | null;
  settings: OrderSettings;
  log?: Logger;
  /** The store a live session belongs to (from the live module): flash sales start only in the store's own sessions. */
  liveSessionStore?: (liveSessionId: string) => Promise<string | null>;
  /** The host of a live session (from the live module): an order its host places in it is held by risk control. */
  liveSessionHost?: (liveSessionId: string) => Promise<string | null>;
  /** Told of every new order once it committed. */
  onOrderPlaced?: (order: Order) => Promise<void>;
}

export function createOrders(deps: OrdersDeps) {
  const { database, audit, clock, catalog, sealer, cardPayments, log } = deps;
  const coupons = createCoupons({ database, audit, clock, currencyOf: async (storeId) => (await catalog.getStore(storeId)).currency });
  // Filled by the composition after every module is built (social listens to orders, and uses them).
  const listeners: OrderEvents[] = [];
  const events = combineOrderEvents(listeners);
  const lifecycle = createLifecycle({ database, audit, clock, coupons, cardPayments, log, events });
  const risk = createRisk({ database, audit, clock, lifecycle, cardPayments, sealer, log, liveSessionHost: deps.liveSessionHost });
  const extensions: CheckoutExtensions = {};
  const checkout = createCheckout({ ...deps, coupons, risk, onPlaced: deps.onOrderPlaced, extensions });
  return {
    cart: createCart({ database, clock }),
    coupons,
    /** Live-room flash sales: started and stopped by the store's owner, staff or hosts; checkout prices and counts them. */
    flashSales: createFlashSales({ database, audit, clock, liveSessionStore: deps.liveSessionStore }),
    checkout,
    lifecycle,
    /** Risk control: held orders, their release or cancellation by compliance officers, the thresholds. */
    risk,
    afterSales: createAfterSales({ database, audit, clock, cardPayments, events }),
    queries: createOrderQueries({ database, sealer }),
    /** Opens a shipping address that staff and officers see masked, for a stated reason; audited. */
    addressReveal: createAddressReveal({ database, audit, sealer }),
    /** Sales and refund receipts from the store till (relayed by modules/pos): channel "store", the same one stock. */
    storeSales: createStoreSales({ database, audit, clock, sealer, events }),

    /** Another module listens to orders being paid, refunded or closed unpaid (order-events.ts). */
    listen(listener: OrderEvents) {
      listeners.push(listener);
    },

    /** The social module's points wallet and group-buy seats join checkout (checkout-extensions.ts). */
    extendCheckout(added: CheckoutExtensions) {
      Object.assign(extensions, added);
    },

    /** Group-buy orders: released to ship when the group fills, closed and refunded when it does not. */
    groupOrders: createGroupOrders({ database, audit, clock, lifecycle, cardPayments, log }),

    /** A webhook from the card provider: verified (signature, timestamp), then applied once. Throws WebhookRejected. */
    async receiveCardWebhook(rawBody: string, signature: string | undefined) {
      if (!cardPayments) throw new PaymentUnavailable();
      return lifecycle.applyPaymentEvent(await cardPayments.parseWebhook(rawBody, signature));
    },

    /**
     * Test accounts only: pays an unpaid card order with Stripe's test Visa card, since no card form
     * can be shown without Stripe.js. The provider's answer is applied as its webhook would be (the
     * webhook arriving later then changes nothing). Returns whether the payment went through.
     */
    async payWithTestCard(order: Order): Promise<boolean> {
      if (!cardPayments || !deps.settings.cardTestMode) throw new PaymentUnavailable();
      const started = await checkout.startCardPayment(order);
      const status = started.status === "succeeded" ? "succeeded" : await cardPayments.confirm(started.providerRef, "pm_card_visa");
      if (status !== "succeeded") return false;
      await lifecycle.applyPaymentEvent({ eventId: `confirm:${started.providerRef}`, type: "payment.succeeded", providerType: "payment_intent.confirm", providerRef: started.providerRef, amount: null });
      return true;
    },

    /** What the order page needs to collect a card with Stripe.js, or null where it pays another way. */
    async cardForm(order: Order): Promise<{ publishableKey: string; clientSecret: string } | null> {
      const publishableKey = deps.settings.cardPublishableKey;
      if (!cardPayments || !publishableKey || order.paymentMethod !== "card" || order.status !== "pending_payment") return null;
      const { clientSecret } = await checkout.startCardPayment(order);
      return { publishableKey, clientSecret };
    },

    /**
     * The shopper is back from Stripe's card form: ask Stripe where the payment stands, so the page
     * can say "paid" at once instead of waiting for the webhook (which then changes nothing).
     */
    async checkReturnedPayment(order: Order, providerRef: string): Promise<"pending" | "succeeded" | "failed"> {
      if (!cardPayments || order.cardPaymentRef !== providerRef || order.status !== "pending_payment") return "pending";
      const status = await cardPayments.status(providerRef);
      if (status === "succeeded") await lifecycle.applyPaymentEvent({ eventId: `return:${providerRef}`, type: "payment.succeeded", providerType: "payment_intent.retrieve", providerRef, amount: null });
      return status;
    },

    /**
     * Erasure: the shopper's shipping addresses become a sealed placeholder (and lose their address
     * key, which would still match the address) and their cart is emptied; the orders themselves,
     * their lines and amounts stay (financial records the law requires).
     */
    async eraseShopper(userId: string): Promise<number> {
      const erased = await sealer.seal(JSON.stringify({ recipient: "—", phone: "—", region: "—", street: "—" }));
      return database.write(async (tx) => {
        const changed = await tx.update(ordersTable).set({ addressSealed: erased, addressKey: null }).where(eq(ordersTable.userId, userId));
        await tx.delete(cartItems).where(eq(cartItems.userId, userId));
        return changed.rowsAffected;
      });
    },

    /** After a data key rotation: re-seals the shipping addresses not under the current key; returns how many orders changed. */
    resealAddresses: () => resealOrderAddresses({ database, sealer }),

    /** The first store the user works at as owner or staff (not as a host), or null. */
    async managedStore(userId: string) {
      for (const store of await catalog.storesOf(userId)) if (await isStoreStaff(database.db, store.id, userId)) return store;
      return null;
    },
    cardPaymentsEnabled: cardPayments !== null,
    cardTestMode: deps.settings.cardTestMode === true,
    /** How a checkout request tells the client's address (risk-client.ts orderOrigin). */
    clientAddress: { trustProxy: deps.settings.trustProxy === true, clientIpHeader: deps.settings.clientIpHeader },
  };
}

export type Orders = ReturnType<typeof createOrders>;
