// The compliance officers' risk-control page: held orders (release or cancel) and the thresholds.
import type { HeldOrder, RiskRuleName, RiskThresholds } from "../../modules/orders/risk.ts";
import { riskRuleNames, riskRules } from "../../modules/orders/risk.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import type { MessageKey } from "../../src/platform/i18n.ts";
import { CsrfField, Notice } from "../components.tsx";
import { ShippingAddress, type AddressRevealState } from "./address-reveal.tsx";
import type { ViewContext } from "../view-context.ts";

/** The address block of a held order, masked unless `state` says it was revealed. */
export function HeldOrderAddress({ v, order, state = {} }: { v: ViewContext; order: Pick<HeldOrder, "orderId" | "maskedAddress">; state?: AddressRevealState }) {
  return <ShippingAddress v={v} orderId={order.orderId} revealAction={`/compliance/risk/holds/${order.orderId}/reveal-address`} address={state.revealed ?? order.maskedAddress} revealed={!!state.revealed} errors={state.errors} values={state.values} />;
}

/** A reveal on the page of a plain (non-HTMX) form post: which order, and its address block's state. */
export type HeldAddressReveal = AddressRevealState & { orderId: string };

export function HeldOrders({ v, held, notice, problem, addressReveal }: { v: ViewContext; held: HeldOrder[]; notice?: string; problem?: string; addressReveal?: HeldAddressReveal }) {
  return (
    <section id="risk-held" class="card">
      <h2>{v.t("risk.held.title")}</h2>
      {notice && <Notice kind="success">{notice}</Notice>}
      {problem && <Notice kind="error">{problem}</Notice>}
      {held.length === 0 ? (
        <p>{v.t("risk.held.none")}</p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th>{v.t("risk.held.order")}</th>
              <th>{v.t("risk.held.total")}</th>
              <th>{v.t("risk.held.placed")}</th>
              <th>{v.t("risk.held.address")}</th>
              <th>{v.t("risk.held.reasons")}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {held.map((order) => (
              <tr id={`hold-${order.orderId}`}>
                <td>
                  <code>{order.number}</code>
                  <br />
                  <small>{order.status}</small>
                </td>
                <td>{v.formatMoney(order.total)}</td>
                <td>{v.formatTime(order.placedAt)}</td>
                <td>
                  <HeldOrderAddress v={v} order={order} state={addressReveal?.orderId === order.orderId ? addressReveal : undefined} />
                </td>
                <td>
                  <ul>
                    {order.reasons.map((reason) => (
                      <li>
                        <strong>{v.t(`risk.reason.${reason.rule}` as MessageKey)}</strong>: {reason.detail}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>
                  <form method="post" action={`/compliance/risk/holds/${order.orderId}/release`} hx-post={`/compliance/risk/holds/${order.orderId}/release`} hx-target="#risk-held" hx-swap="outerHTML">
                    <CsrfField v={v} />
                    <input type="text" name="note" maxlength={500} placeholder={v.t("risk.held.note")} aria-label={v.t("risk.held.note")} />
                    <button type="submit" name="decision" value="release">{v.t("risk.release")}</button>
                    <button type="submit" formaction={`/compliance/risk/holds/${order.orderId}/cancel`} hx-post={`/compliance/risk/holds/${order.orderId}/cancel`} class="danger">
                      {v.t("risk.cancel")}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function ThresholdsForm({ v, values, errors = {}, saved }: { v: ViewContext; values: Partial<Record<RiskRuleName, string | number>>; errors?: FieldErrors; saved?: boolean }) {
  return (
    <form id="risk-thresholds" method="post" action="/compliance/risk/thresholds" hx-post="/compliance/risk/thresholds" hx-target="this" hx-swap="outerHTML" class="card form" novalidate>
      <h2>{v.t("risk.thresholds.title")}</h2>
      {saved && <Notice kind="success">{v.t("risk.thresholds.saved")}</Notice>}
      <CsrfField v={v} />
      {riskRuleNames.map((rule) => (
        <label class="field">
          <span>{v.t(`risk.rule.${rule}` as MessageKey)}</span>
          <input type="number" name={rule} value={String(values[rule] ?? "")} min={riskRules[rule].min} max={riskRules[rule].max} step={1} required aria-invalid={errors[rule] ? "true" : undefined} />
          {errors[rule] && (
            <small class="field-error">
              {v.t(errors[rule]!)} ({riskRules[rule].min}–{riskRules[rule].max})
            </small>
          )}
        </label>
      ))}
      <button type="submit">{v.t("risk.thresholds.save")}</button>
    </form>
  );
}

export function RiskPage(props: { v: ViewContext; held: HeldOrder[]; thresholds: RiskThresholds | Partial<Record<RiskRuleName, string | number>>; errors?: FieldErrors; saved?: boolean; notice?: string; problem?: string; addressReveal?: HeldAddressReveal }) {
  const { v } = props;
  return (
    <>
      <h1>{v.t("risk.title")}</h1>
      <HeldOrders v={v} held={props.held} notice={props.notice} problem={props.problem} addressReveal={props.addressReveal} />
      <ThresholdsForm v={v} values={props.thresholds} errors={props.errors} saved={props.saved} />
    </>
  );
}

/** For the merchant's order page: a held order says so above its ship form. */
export function RiskHoldNotice({ v, held }: { v: ViewContext; held: boolean }) {
  return held ? <Notice kind="error">{v.t("risk.merchant_notice")}</Notice> : <></>;
}
