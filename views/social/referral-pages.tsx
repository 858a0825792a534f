// The sharer's "My referral links" page and the merchant's referral reward page (the program form and
// the referred orders).
import type { Child } from "hono/jsx";
import type { FieldErrors } from "../../src/platform/forms.ts";
import type { MessageKey } from "../../src/platform/i18n.ts";
import { CsrfField, Field, Notice, Section } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

export interface RewardView {
  status: "granted" | "reversed" | "refused";
  reason: string | null;
  points: number | null;
  coupon: boolean;
  createdAt: Date;
}

const reasonKeys: Record<string, MessageKey> = {
  self_referral: "referrals.reason.self_referral",
  same_device: "referrals.reason.same_device",
  same_address: "referrals.reason.same_address",
  coupon_unavailable: "referrals.reason.coupon_unavailable",
  coupon_already_used: "referrals.reason.coupon_already_used",
};

const reasonText = (v: ViewContext, reason: string | null) => (reason ? (reasonKeys[reason] ? v.t(reasonKeys[reason]) : reason) : "");
const rewardText = (v: ViewContext, reward: RewardView) => (reward.points ? v.t("referrals.reward_points", { points: reward.points }) : reward.coupon ? v.t("referrals.reward_coupon") : "—");

export interface SharedLinkView {
  url: string;
  type: "product" | "live_session";
  title: string;
  href: string;
  clicks: number;
}

export function AccountReferralsPage({ v, links, rewards }: { v: ViewContext; links: SharedLinkView[]; rewards: (RewardView & { store: string })[] }) {
  return (
    <>
      <h1>{v.t("referrals.account_title")}</h1>
      <Section title={v.t("referrals.my_links")} id="referral-links">
        {links.length === 0 ? (
          <p class="muted">{v.t("referrals.no_links")}</p>
        ) : (
          <table class="table" data-testid="referral-links">
            <thead>
              <tr>
                <th>{v.t("referrals.col.target")}</th>
                <th>{v.t("referrals.col.link")}</th>
                <th>{v.t("referrals.col.clicks")}</th>
              </tr>
            </thead>
            <tbody>
              {links.map((link) => (
                <tr>
                  <td>
                    {v.t(link.type === "product" ? "referrals.target.product" : "referrals.target.live_session")}: <a href={link.href}>{link.title}</a>
                  </td>
                  <td>
                    <input type="text" readonly value={link.url} aria-label={v.t("referrals.link_label")} />
                  </td>
                  <td data-clicks={String(link.clicks)}>{v.t("referrals.clicks", { count: link.clicks })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title={v.t("referrals.my_rewards")} id="referral-rewards">
        {rewards.length === 0 ? (
          <p class="muted">{v.t("referrals.no_rewards")}</p>
        ) : (
          <table class="table" data-testid="my-rewards">
            <thead>
              <tr>
                <th>{v.t("referrals.col.date")}</th>
                <th>{v.t("referrals.col.store")}</th>
                <th>{v.t("referrals.col.reward")}</th>
                <th>{v.t("referrals.col.status")}</th>
                <th>{v.t("referrals.col.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {rewards.map((reward) => (
                <tr data-status={reward.status}>
                  <td>{v.formatTime(reward.createdAt)}</td>
                  <td>{reward.store}</td>
                  <td>{rewardText(v, reward)}</td>
                  <td>{v.t(`referrals.status.${reward.status}`)}</td>
                  <td>{reasonText(v, reward.reason)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}

export type ProgramFormValues = Partial<Record<"rewardKind" | "rewardPoints" | "couponCode" | "windowDays" | "active", string>>;

export function ProgramForm({ v, values, errors = {}, saved = false, exists }: { v: ViewContext; values: ProgramFormValues; errors?: FieldErrors; saved?: boolean; exists: boolean }) {
  const kind = values.rewardKind === "coupon" ? "coupon" : "points";
  return (
    <form id="referral-program" method="post" action="/merchant/referrals" hx-post="/merchant/referrals" hx-target="this" hx-swap="outerHTML" class="card form" novalidate>
      <h2>{v.t("referrals.program")}</h2>
      {saved && <Notice kind="success">{v.t("referrals.saved")}</Notice>}
      {!exists && !saved && <Notice kind="info">{v.t("referrals.program_none")}</Notice>}
      {Object.keys(errors).length > 0 && <Notice kind="error">{v.t("validation.form")}</Notice>}
      <CsrfField v={v} />
      <fieldset>
        <legend>{v.t("referrals.reward_kind")}</legend>
        <label class="choice">
          <input type="radio" name="rewardKind" value="points" checked={kind === "points"} /> {v.t("referrals.kind.points")}
        </label>
        <label class="choice">
          <input type="radio" name="rewardKind" value="coupon" checked={kind === "coupon"} /> {v.t("referrals.kind.coupon")}
        </label>
        {errors.rewardKind && <p class="field__error" role="alert">{v.t(errors.rewardKind)}</p>}
      </fieldset>
      <Field v={v} name="rewardPoints" label="referrals.field.points" type="number" value={values.rewardPoints} error={errors.rewardPoints} />
      <Field v={v} name="couponCode" label="referrals.field.coupon_code" value={values.couponCode} error={errors.couponCode} hint={v.t("referrals.field.coupon_hint")} maxlength={32} />
      <Field v={v} name="windowDays" label="referrals.field.window_days" type="number" value={values.windowDays} error={errors.windowDays} hint={v.t("referrals.field.window_hint")} required />
      <label class="check">
        <input type="checkbox" name="active" value="on" checked={values.active === "on"} /> {v.t("referrals.field.active")}
      </label>
      <button type="submit" class="button button--primary">{v.t("referrals.save")}</button>
    </form>
  );
}

export function MerchantReferralsPage({ v, form, rewards }: { v: ViewContext; form: Child; rewards: (RewardView & { referrer: string; orderNumber: string; orderId: string })[] }) {
  return (
    <>
      <h1>{v.t("referrals.merchant_title")}</h1>
      {form}
      <Section title={v.t("referrals.rewards")} id="referred-orders">
        {rewards.length === 0 ? (
          <p class="muted">{v.t("referrals.no_rewards")}</p>
        ) : (
          <table class="table" data-testid="store-rewards">
            <thead>
              <tr>
                <th>{v.t("referrals.col.date")}</th>
                <th>{v.t("referrals.col.referrer")}</th>
                <th>{v.t("referrals.col.order")}</th>
                <th>{v.t("referrals.col.reward")}</th>
                <th>{v.t("referrals.col.status")}</th>
                <th>{v.t("referrals.col.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {rewards.map((reward) => (
                <tr data-status={reward.status} data-order={reward.orderId}>
                  <td>{v.formatTime(reward.createdAt)}</td>
                  <td>{reward.referrer}</td>
                  <td>
                    <a href={`/merchant/orders/${reward.orderId}`}>{reward.orderNumber}</a>
                  </td>
                  <td>{rewardText(v, reward)}</td>
                  <td>{v.t(`referrals.status.${reward.status}`)}</td>
                  <td>{reasonText(v, reward.reason)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}
