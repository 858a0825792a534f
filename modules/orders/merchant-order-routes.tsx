// Merchant staff pages for orders: the store's order list with filters and search, the order, and
// the steps staff take (confirm an offline payment, ship, mark delivered, decide after-sales), and
// revealing an order's masked shipping address for a stated reason.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { parseForm, type FieldErrors } from "../../src/platform/forms.ts";
import { isHtmx, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { Notice } from "../../views/components.tsx";
import { StoreOrderAddress, StoreOrderPage, StoreOrdersPage } from "../../views/orders/merchant-orders.tsx";
import type { AddressRevealState } from "../../views/orders/address-reveal.tsx";
import { orderStatuses } from "../../db/schema/orders-checkout.ts";
import { revealReasonForm } from "./address-reveal.ts";
import { OrderStateConflict, PaymentUnavailable } from "./errors.ts";
import type { StoreOrderFilter } from "./order-queries.ts";
import type { Orders } from "./orders.ts";
import { decisionForm, shipForm } from "./validation.ts";

type C = Context<AppEnv>;

export function merchantOrderRoutes({ orders }: { orders: Orders }) {
  const app = new Hono<AppEnv>();
  const actor = (c: C) => ({ type: "user" as const, id: c.var.user!.id });

  app.get("/merchant/orders", allow.roles("merchant"), async (c) => {
    const v = viewContext(c);
    const store = await orders.managedStore(c.var.user!.id);
    if (!store) return renderPage(c, v.t("merchant.orders.title"), <Notice kind="info">{v.t("merchant.no_store")}</Notice>);
    const status = c.req.query("status");
    const filter: StoreOrderFilter = {
      status: status === "after_sales" || (orderStatuses as readonly string[]).includes(status ?? "") ? (status as StoreOrderFilter["status"]) : undefined,
      search: c.req.query("q")?.trim().slice(0, 60) || undefined,
    };
    return renderPage(c, v.t("merchant.orders.title"), <StoreOrdersPage v={v} orders={await orders.queries.forStore(c.var.user!.id, store.id, filter)} filter={filter} />);
  });

  async function page(c: C, orderId: string, extra: { status?: 200 | 409 | 422; problem?: string; shipErrors?: FieldErrors; shipValues?: { carrier?: string; trackingNumber?: string }; addressReveal?: AddressRevealState } = {}) {
    const v = viewContext(c);
    const order = await orders.queries.storeOrder(c.var.user!.id, orderId);
    const hold = await orders.risk.holdOf(orderId);
    return renderPage(c, v.t("orders.number", { number: order.number }), <StoreOrderPage v={v} order={order} held={hold?.status === "held"} {...extra} />, extra.status ?? 200);
  }

  /** Runs a staff step, then shows the order; a step someone else took first shows as a conflict in place. */
  async function step(c: C, orderId: () => Promise<string> | string, action: () => Promise<unknown>) {
    try {
      await action();
    } catch (error) {
      if (error instanceof OrderStateConflict || error instanceof PaymentUnavailable) return page(c, await orderId(), { status: 409, problem: viewContext(c).t(error.messageKey) });
      throw error;
    }
    return page(c, await orderId());
  }

  app.get("/merchant/orders/:id", allow.roles("merchant"), (c) => page(c, c.req.param("id")));

  /** The address block alone for HTMX, else the whole order page around it. */
  async function addressBlock(c: C, orderId: string, state: AddressRevealState, status: 200 | 422 = 200) {
    if (!isHtmx(c)) return page(c, orderId, { status, addressReveal: state });
    const order = await orders.queries.storeOrder(c.var.user!.id, orderId);
    return c.html(<StoreOrderAddress v={viewContext(c)} order={order} state={state} />, status);
  }

  app.post("/merchant/orders/:id/reveal-address", allow.roles("merchant"), async (c) => {
    const body = await c.req.parseBody();
    const form = parseForm(revealReasonForm, body);
    if (!form.ok) return addressBlock(c, c.req.param("id"), { errors: form.errors, values: { purpose: String(body.purpose ?? ""), note: String(body.note ?? "") } }, 422);
    const revealed = await orders.addressReveal.toStoreStaff(c.var.user!.id, c.req.param("id"), form.value);
    return addressBlock(c, c.req.param("id"), { revealed });
  });

  app.post("/merchant/orders/:id/confirm-payment", allow.roles("merchant"), (c) => step(c, () => c.req.param("id"), () => orders.lifecycle.confirmOfflinePayment(actor(c), c.req.param("id"))));

  app.post("/merchant/orders/:id/ship", allow.roles("merchant"), async (c) => {
    const body = await c.req.parseBody();
    const form = parseForm(shipForm, body);
    if (!form.ok) return page(c, c.req.param("id"), { status: 422, shipErrors: form.errors, shipValues: { carrier: String(body.carrier ?? ""), trackingNumber: String(body.trackingNumber ?? "") } });
    return step(c, () => c.req.param("id"), () => orders.lifecycle.ship(actor(c), c.req.param("id"), form.value.carrier, form.value.trackingNumber));
  });

  app.post("/merchant/orders/:id/delivered", allow.roles("merchant"), (c) => step(c, () => c.req.param("id"), () => orders.lifecycle.markDelivered(actor(c), c.req.param("id"))));

  const orderOfRequest = (c: C) => () => orders.afterSales.orderIdOf(c.req.param("id")!);

  app.post("/merchant/after-sales/:id/decide", allow.roles("merchant"), async (c) => {
    const form = parseForm(decisionForm, await c.req.parseBody());
    if (!form.ok) return c.text(viewContext(c).t("error.bad_request"), 422);
    return step(c, orderOfRequest(c), () => orders.afterSales.decide(actor(c), c.req.param("id"), form.value.decision === "approve", form.value.note));
  });

  app.post("/merchant/after-sales/:id/returned", allow.roles("merchant"), (c) => step(c, orderOfRequest(c), () => orders.afterSales.confirmReturn(actor(c), c.req.param("id"))));

  app.post("/merchant/after-sales/:id/refund", allow.roles("merchant"), (c) => step(c, orderOfRequest(c), () => orders.afterSales.retryRefund(actor(c), c.req.param("id"))));

  return app;
}
