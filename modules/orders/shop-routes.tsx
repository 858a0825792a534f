// Shopper pages of the orders module: cart, checkout, my orders, paying, cancelling, after-sales.
import { Hono, type Context } from "hono";
import { object, optional, pipe, regex, string, transform, trim } from "valibot";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { DomainError } from "../../src/platform/errors.ts";
import { randomToken } from "../../src/platform/crypto.ts";
import { parseForm, type FieldErrors } from "../../src/platform/forms.ts";
import { redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { CartPage } from "../../views/orders/cart.tsx";
import { CheckoutPage, QuotePanel, type CheckoutValues } from "../../views/orders/checkout.tsx";
import { MyOrdersPage, OrderPage } from "../../views/orders/my-orders.tsx";
import type { CartLine } from "./cart.ts";
import { AfterSaleOpen } from "./after-sales.ts";
import { CouponRefused, FlashSaleSoldOut, OrderStateConflict, OutOfStock, PaymentUnavailable, ProductUnavailable } from "./errors.ts";
import type { Orders } from "./orders.ts";
import { LIMITS } from "./pricing.ts";
import { browserId, orderOrigin } from "./risk-client.ts";
import { addToCartForm, afterSaleForm, cartQuantityForm, checkoutForm } from "./validation.ts";

type C = Context<AppEnv>;

/** Checkout with the membership points the shopper chose to spend (an empty field is none). */
const checkoutWithPointsForm = object({
  ...checkoutForm.entries,
  points: pipe(optional(string(), ""), trim(), regex(/^\d{0,9}$/, "points.error.invalid"), transform(Number)),
});

/** The points wallet's refusals (over the balance, over the cap) belong next to the points field. */
const isPointsRefusal = (error: unknown): error is DomainError => error instanceof DomainError && error.status === 422 && error.code.includes("points");

/** The lines a checkout sells: one "buy now" SKU, or the cart's available lines of its first store. */
async function checkoutLines(orders: Orders, userId: string, buyNow: { sku?: string; quantity?: number }): Promise<CartLine[]> {
  if (buyNow.sku) return [await orders.cart.lineFor(buyNow.sku, buyNow.quantity ?? 1)];
  const lines = (await orders.cart.lines(userId)).filter((line) => line.available);
  return lines.filter((line) => line.storeId === lines[0]?.storeId);
}

export function shopRoutes({ orders }: { orders: Orders }) {
  const app = new Hono<AppEnv>();
  const userId = (c: C) => c.var.user!.id;

  app.post("/cart", allow.signedIn(), async (c) => {
    const form = parseForm(addToCartForm, await c.req.parseBody());
    if (!form.ok) return c.text(viewContext(c).t(form.errors.quantity ?? "error.bad_request", { max: LIMITS.maxQuantity }), 422);
    if (form.value.buyNow) return redirectAfterPost(c, `/checkout?sku=${form.value.sku}&quantity=${form.value.quantity}`);
    await orders.cart.add(userId(c), form.value.sku, form.value.quantity);
    return redirectAfterPost(c, "/cart");
  });

  app.get("/cart", allow.signedIn(), async (c) => {
    const v = viewContext(c);
    return renderPage(c, v.t("cart.title"), <CartPage v={v} lines={await orders.cart.lines(userId(c))} />);
  });

  app.post("/cart/:sku", allow.signedIn(), async (c) => {
    const v = viewContext(c);
    const form = parseForm(cartQuantityForm, await c.req.parseBody());
    if (form.ok) await orders.cart.setQuantity(userId(c), c.req.param("sku"), form.value.quantity);
    return renderPage(c, v.t("cart.title"), <CartPage v={v} lines={await orders.cart.lines(userId(c))} />, form.ok ? 200 : 422);
  });

  app.post("/cart/:sku/remove", allow.signedIn(), async (c) => {
    const v = viewContext(c);
    await orders.cart.remove(userId(c), c.req.param("sku"));
    return renderPage(c, v.t("cart.title"), <CartPage v={v} lines={await orders.cart.lines(userId(c))} />);
  });

  async function checkoutPage(c: C, values: CheckoutValues, status: 200 | 409 | 422 = 200, errors?: FieldErrors, problem?: string) {
    const v = viewContext(c);
    const lines = await checkoutLines(orders, userId(c), values);
    if (lines.length === 0) return c.redirect("/cart", 303);
    const quote = await orders.checkout.quote({ userId: userId(c), lines, couponCode: values.couponCode ?? null, channel: values.liveSession ? "live" : "storefront", liveSessionId: values.liveSession ?? null, points: pointsOf(values) });
    return renderPage(c, v.t("checkout.title"), <CheckoutPage v={v} lines={lines} quote={quote} values={values} errors={errors} problem={problem} cardEnabled={orders.cardPaymentsEnabled} />, status);
  }

  app.get("/checkout", allow.signedIn(), async (c) => {
    const buyNow = parseForm(addToCartForm, { sku: c.req.query("sku"), quantity: c.req.query("quantity") });
    const values: CheckoutValues = { idempotencyKey: randomToken(24), ...(buyNow.ok ? { sku: buyNow.value.sku, quantity: buyNow.value.quantity } : {}) };
    const live = c.req.query("live");
    if (live && /^liv_[0-9A-Z]{26}$/.test(live)) values.liveSession = live;
    // Two taps from a live room: the last address and a coupon claimed in this room are filled in.
    Object.assign(values, (await orders.queries.lastAddress(userId(c))) ?? {});
    if (values.liveSession) {
      const held = (await orders.coupons.unusedClaims(userId(c))).find((claim) => claim.coupon.scope === "live_session" && claim.coupon.liveSessionId === values.liveSession);
      if (held) values.couponCode = held.coupon.code;
    }
    browserId(c); // the risk rules count orders per browser: the cookie is set before the order
    return checkoutPage(c, values);
  });

  /** The points typed on the form, when they are a whole number (else none: the post says what is wrong). */
  const pointsOf = (values: CheckoutValues) => (/^\d{1,9}$/.test(values.points ?? "") ? Number(values.points) : 0);

  function submitted(body: Record<string, unknown>): CheckoutValues {
    const text = (key: string) => (typeof body[key] === "string" ? (body[key] as string) : undefined);
    return {
      recipient: text("recipient"),
      phone: text("phone"),
      region: text("region"),
      street: text("street"),
      couponCode: text("couponCode") ?? null,
      paymentMethod: text("paymentMethod") === "card" ? "card" : "offline",
      idempotencyKey: text("idempotencyKey") ?? randomToken(24),
      sku: text("sku"),
      // Shown again as it was only if it is a quantity at all; the error says what went wrong.
      quantity: /^\d{1,3}$/.test(text("quantity") ?? "") && Number(text("quantity")) >= 1 ? Number(text("quantity")) : 1,
      liveSession: text("liveSession"),
      points: text("points"),
    };
  }

  app.post("/checkout/quote", allow.signedIn(), async (c) => {
    const body = await c.req.parseBody();
    const values = submitted(body);
    const form = parseForm(checkoutForm, body);
    const couponError = !form.ok && form.errors.couponCode ? { couponCode: form.errors.couponCode } : undefined;
    if (couponError) values.couponCode = null;
    if (c.req.header("hx-request") && !couponError) {
      const lines = await checkoutLines(orders, userId(c), values);
      const quote = await orders.checkout.quote({ userId: userId(c), lines, couponCode: values.couponCode ?? null, channel: values.liveSession ? "live" : "storefront", liveSessionId: values.liveSession ?? null, points: pointsOf(values) });
      return c.html(<QuotePanel v={viewContext(c)} quote={quote} />);
    }
    return checkoutPage(c, values, couponError ? 422 : 200, couponError);
  });

  app.post("/checkout", allow.signedIn(), async (c) => {
    const v = viewContext(c);
    const body = await c.req.parseBody();
    const values = submitted(body);
    const form = parseForm(checkoutWithPointsForm, body);
    if (!form.ok) return checkoutPage(c, values, 422, form.errors, form.errors.quantity ? v.t(form.errors.quantity, { max: LIMITS.maxQuantity }) : undefined);
    const { recipient, phone, region, street, couponCode, paymentMethod, idempotencyKey, sku, quantity, liveSession, points } = form.value;
    const lines = await checkoutLines(orders, userId(c), { sku, quantity });
    if (lines.length === 0) return checkoutPage(c, values, 422, undefined, v.t("cart.empty"));
    try {
      const order = await orders.checkout.placeOrder({
        userId: userId(c),
        idempotencyKey,
        lines: lines.map(({ skuId, quantity }) => ({ skuId, quantity })),
        address: { recipient, phone, region, street },
        couponCode,
        paymentMethod,
        channel: liveSession ? "live" : "storefront",
        liveSessionId: liveSession ?? null,
        fromCart: !sku,
        ...orderOrigin(c, orders.clientAddress),
        points,
      });
      return redirectAfterPost(c, `/orders/${order.id}`);
    } catch (error) {
      if (error instanceof CouponRefused) return checkoutPage(c, values, 422, { couponCode: error.messageKey });
      if (isPointsRefusal(error)) return checkoutPage(c, values, 422, { points: error.messageKey });
      if (error instanceof OutOfStock || error instanceof FlashSaleSoldOut || error instanceof ProductUnavailable || error instanceof PaymentUnavailable) return checkoutPage(c, values, 409, undefined, v.t(error.messageKey));
      throw error;
    }
  });

  app.get("/orders", allow.signedIn(), async (c) => {
    const v = viewContext(c);
    return renderPage(c, v.t("orders.title"), <MyOrdersPage v={v} orders={await orders.queries.forShopper(userId(c))} />);
  });

  async function orderPage(c: C, id: string, extra: { status?: 200 | 402 | 409 | 422; notice?: string; problem?: string; afterSaleErrors?: FieldErrors; afterSaleValues?: { kind?: string; reason?: string } } = {}) {
    const v = viewContext(c);
    const order = await orders.queries.shopperOrder(userId(c), id);
    const cardForm = await orders.cardForm(order).catch((error: Error) => {
      c.var.log?.warn("card form unavailable", { orderId: order.id, error: error.message });
      return null;
    });
    const page = <OrderPage v={v} order={order} cardEnabled={orders.cardPaymentsEnabled} cardTestMode={orders.cardTestMode} cardForm={cardForm} {...extra} />;
    return renderPage(c, v.t("orders.number", { number: order.number }), page, extra.status ?? 200);
  }

  app.get("/orders/:id", allow.signedIn(), async (c) => {
    // Back from Stripe's card form (its return_url): settle the payment's state before showing the order.
    const returned = c.req.query("payment_intent");
    if (returned && /^pi_\w+$/.test(returned)) {
      const order = await orders.checkout.orderOf(userId(c), c.req.param("id"));
      const status = await orders.checkReturnedPayment(order, returned);
      if (status === "failed") return orderPage(c, order.id, { status: 402, problem: viewContext(c).t("orders.error.card_declined") });
      if (status === "pending") return orderPage(c, order.id, { notice: viewContext(c).t("orders.card_processing") });
    }
    return orderPage(c, c.req.param("id"));
  });

  /** Runs a shopper's step on an order and shows the order again, with the conflict in place if it moved on. */
  async function step(c: C, action: () => Promise<unknown>) {
    try {
      await action();
      return orderPage(c, c.req.param("id")!);
    } catch (error) {
      if (error instanceof OrderStateConflict || error instanceof PaymentUnavailable) return orderPage(c, c.req.param("id")!, { status: 409, problem: viewContext(c).t(error.messageKey) });
      throw error;
    }
  }

  app.post("/orders/:id/pay", allow.signedIn(), async (c) => {
    const order = await orders.checkout.orderOf(userId(c), c.req.param("id"));
    try {
      if (!(await orders.payWithTestCard(order))) return orderPage(c, order.id, { status: 402, problem: viewContext(c).t("orders.error.card_declined") });
    } catch (error) {
      if (error instanceof OrderStateConflict || error instanceof PaymentUnavailable) return orderPage(c, order.id, { status: 409, problem: viewContext(c).t(error.messageKey) });
      throw error;
    }
    return orderPage(c, order.id);
  });

  app.post("/orders/:id/cancel", allow.signedIn(), (c) => step(c, () => orders.lifecycle.cancel(userId(c), c.req.param("id"))));

  app.post("/orders/:id/receipt", allow.signedIn(), (c) => step(c, () => orders.lifecycle.confirmReceipt(userId(c), c.req.param("id"))));

  app.post("/orders/:id/after-sales", allow.signedIn(), async (c) => {
    const body = await c.req.parseBody();
    const form = parseForm(afterSaleForm, body);
    const values = { kind: String(body.kind ?? ""), reason: String(body.reason ?? "") };
    if (!form.ok) return orderPage(c, c.req.param("id"), { status: 422, afterSaleErrors: form.errors, afterSaleValues: values });
    try {
      await orders.afterSales.request(userId(c), c.req.param("id"), form.value.kind, form.value.reason);
    } catch (error) {
      if (error instanceof AfterSaleOpen || error instanceof OrderStateConflict) return orderPage(c, c.req.param("id"), { status: 409, problem: viewContext(c).t(error.messageKey) });
      throw error;
    }
    return orderPage(c, c.req.param("id"));
  });

  return app;
}
