// Compliance officers' risk-control pages: held orders (release or cancel, reveal the masked
// shipping address with a reason) and the thresholds. Officers read business data and change no
// orders, except deciding a hold, which is this page.
import { Hono, type Context } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { parseForm, type FieldErrors } from "../../src/platform/forms.ts";
import { isHtmx, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { HeldOrderAddress, HeldOrders, RiskPage, ThresholdsForm, type HeldAddressReveal } from "../../views/orders/risk.tsx";
import { NotFound } from "../../src/platform/errors.ts";
import { revealReasonForm } from "./address-reveal.ts";
import { OrderStateConflict } from "./errors.ts";
import type { Orders } from "./orders.ts";
import { HoldNotOpen, riskRuleNames, riskRules, type RiskRuleName, type RiskThresholds } from "./risk.ts";

type C = Context<AppEnv>;

const threshold = (rule: RiskRuleName) =>
  v.pipe(v.string("risk.thresholds.invalid"), v.trim(), v.regex(/^\d{1,6}$/, "risk.thresholds.invalid"), v.transform(Number), v.minValue(riskRules[rule].min, "risk.thresholds.invalid"), v.maxValue(riskRules[rule].max, "risk.thresholds.invalid"));

export const thresholdsForm = v.object(Object.fromEntries(riskRuleNames.map((rule) => [rule, threshold(rule)])) as Record<RiskRuleName, ReturnType<typeof threshold>>);

const decisionForm = v.object({ note: v.pipe(v.optional(v.string(), ""), v.trim(), v.maxLength(500, "error.bad_request")) });

const orderId = /^ord_[0-9A-Z]{26}$/;

export function riskRoutes({ orders }: { orders: Orders }) {
  const app = new Hono<AppEnv>();
  const actor = (c: C) => ({ type: "user" as const, id: c.var.user!.id });

  async function page(c: C, extra: { status?: 200 | 409 | 422; errors?: FieldErrors; values?: Record<string, string>; saved?: boolean; notice?: string; problem?: string; addressReveal?: HeldAddressReveal } = {}) {
    const view = viewContext(c);
    const [held, thresholds] = await Promise.all([orders.risk.held(), extra.values ? Promise.resolve(extra.values) : orders.risk.thresholds()]);
    return renderPage(c, view.t("risk.title"), <RiskPage v={view} held={held} thresholds={thresholds} errors={extra.errors} saved={extra.saved} notice={extra.notice} problem={extra.problem} addressReveal={extra.addressReveal} />, extra.status ?? 200);
  }

  app.get("/compliance/risk", allow.roles("officer", "admin"), (c) => page(c));

  async function decide(c: C, kind: "release" | "cancel") {
    const view = viewContext(c);
    const id = c.req.param("id") ?? "";
    const form = parseForm(decisionForm, await c.req.parseBody());
    if (!orderId.test(id) || !form.ok) return c.text(view.t("error.bad_request"), 422);
    const number = (await orders.risk.held()).find((order) => order.orderId === id)?.number ?? id;
    let status: 200 | 409 = 200;
    let notice: string | undefined;
    let problem: string | undefined;
    try {
      if (kind === "release") await orders.risk.release(actor(c), id, form.value.note);
      else await orders.risk.cancel(actor(c), id, form.value.note);
      notice = view.t(kind === "release" ? "risk.released" : "risk.cancelled", { number });
    } catch (error) {
      if (!(error instanceof HoldNotOpen || error instanceof OrderStateConflict)) throw error;
      status = 409;
      problem = view.t(error.messageKey);
    }
    if (isHtmx(c)) return c.html(<HeldOrders v={view} held={await orders.risk.held()} notice={notice} problem={problem} />, status);
    return page(c, { status, notice, problem });
  }

  app.post("/compliance/risk/holds/:id/release", allow.roles("officer", "admin"), (c) => decide(c, "release"));
  app.post("/compliance/risk/holds/:id/cancel", allow.roles("officer", "admin"), (c) => decide(c, "cancel"));

  app.post("/compliance/risk/holds/:id/reveal-address", allow.roles("officer", "admin"), async (c) => {
    const id = c.req.param("id") ?? "";
    if (!orderId.test(id)) return c.text(viewContext(c).t("error.bad_request"), 422);
    const body = await c.req.parseBody();
    const form = parseForm(revealReasonForm, body);
    const reveal: HeldAddressReveal = form.ok
      ? { orderId: id, revealed: await orders.addressReveal.toOfficer(actor(c), id, form.value) }
      : { orderId: id, errors: form.errors, values: { purpose: String(body.purpose ?? ""), note: String(body.note ?? "") } };
    const status = form.ok ? 200 : 422;
    if (!isHtmx(c)) return page(c, { status, addressReveal: reveal });
    if (reveal.revealed) return c.html(<HeldOrderAddress v={viewContext(c)} order={{ orderId: id, maskedAddress: reveal.revealed }} state={reveal} />);
    const held = (await orders.risk.held()).find((order) => order.orderId === id);
    if (!held) throw new NotFound("hold_not_found");
    return c.html(<HeldOrderAddress v={viewContext(c)} order={held} state={reveal} />, status);
  });

  app.post("/compliance/risk/thresholds", allow.roles("officer", "admin"), async (c) => {
    const view = viewContext(c);
    const body = await c.req.parseBody();
    const form = parseForm(thresholdsForm, body);
    if (!form.ok) {
      const values = Object.fromEntries(riskRuleNames.map((rule) => [rule, typeof body[rule] === "string" ? (body[rule] as string) : ""]));
      if (isHtmx(c)) return c.html(<ThresholdsForm v={view} values={values} errors={form.errors} />, 422);
      return page(c, { status: 422, errors: form.errors, values });
    }
    await orders.risk.setThresholds(actor(c), form.value as RiskThresholds);
    if (isHtmx(c)) return c.html(<ThresholdsForm v={view} values={await orders.risk.thresholds()} saved />);
    return page(c, { saved: true });
  });

  return app;
}
