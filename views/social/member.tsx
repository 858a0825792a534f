// The member page: points balance, tier with the progress to the next one, the tier's benefits, the member code for the
// till, and the points history (newest first).
import type { MembershipSummary } from "../../modules/social/membership.ts";
import { MEMBERSHIP_CURRENCY, pointsValueFen } from "../../modules/social/membership-rules.ts";
import type { PointsEntry } from "../../modules/social/points-ledger.ts";
import type { TierBenefit } from "../../modules/social/tier-coupons.ts";
import { Section } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";
import { TierBenefits } from "./tier-coupons-member.tsx";

const yuan = (v: ViewContext, fen: number) => v.formatMoney({ amount: fen, currency: MEMBERSHIP_CURRENCY });

function TierCard({ v, summary }: { v: ViewContext; summary: MembershipSummary }) {
  const { tier, next, remainingFen, percent } = summary.progress;
  return (
    <div class="card" id="member-tier">
      <h2>
        {v.t("points.tier")}: <span data-testid="tier">{v.t(`points.tier.${tier.id}`)}</span>
      </h2>
      <p class="muted small">{v.t("points.multiplier", { percent: tier.multiplierPercent })}</p>
      <p>{v.t("points.spend_12m", { amount: yuan(v, summary.spendFen) })}</p>
      {next ? (
        <>
          <label for="tier-progress">{v.t("points.progress_label")}</label>{" "}
          <progress id="tier-progress" max={100} value={percent} data-testid="tier-progress">
            {percent}%
          </progress>{" "}
          <span class="small">{percent}%</span>
          <p data-testid="next-tier">{v.t("points.next_tier", { amount: yuan(v, remainingFen), tier: v.t(`points.tier.${next.id}`) })}</p>
        </>
      ) : (
        <p>{v.t("points.top_tier")}</p>
      )}
    </div>
  );
}

function HistoryRow({ v, entry }: { v: ViewContext; entry: PointsEntry }) {
  const fromStore = entry.note === "store";
  return (
    <tr data-reason={entry.reason}>
      <td>{v.formatTime(entry.at)}</td>
      <td>{v.t(`points.reason.${entry.reason}`)}</td>
      <td>{fromStore ? v.t("points.store_purchase") : entry.orderId ? <a href={`/orders/${entry.orderId}`}>{v.t("points.history.order")}</a> : "—"}</td>
      <td class={entry.delta < 0 ? "amount amount--negative" : "amount"} data-testid="points-delta">
        {entry.delta > 0 ? `+${entry.delta}` : entry.delta < 0 ? `−${-entry.delta}` : "0"}
      </td>
    </tr>
  );
}

export function MemberPage({ v, summary, history, benefits }: { v: ViewContext; summary: MembershipSummary; history: PointsEntry[]; benefits: TierBenefit[] }) {
  return (
    <article id="member">
      <h1>{v.t("points.page_title")}</h1>
      <div class="card" id="member-balance">
        <h2>{v.t("points.balance")}</h2>
        <p class="big" data-testid="points-balance">
          {v.t("points.balance_value", { points: summary.balance })}
        </p>
        {summary.balance > 0 && <p class="muted small">{v.t("points.worth", { amount: yuan(v, pointsValueFen(summary.balance)) })}</p>}
      </div>
      <TierCard v={v} summary={summary} />
      <TierBenefits v={v} tier={summary.progress.tier} benefits={benefits} />
      <div class="card" id="member-code">
        <h2>{v.t("points.member_code")}</h2>
        <p class="big">
          <code data-testid="member-code">{summary.memberCode}</code>
        </p>
        <p class="muted small">{v.t("points.member_code_hint")}</p>
      </div>
      <Section id="points-history" title={v.t("points.history")}>
        {history.length === 0 ? (
          <p class="muted">{v.t("points.history_empty")}</p>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>{v.t("points.history.when")}</th>
                <th>{v.t("points.history.what")}</th>
                <th>{v.t("points.history.order")}</th>
                <th>{v.t("points.history.points")}</th>
              </tr>
            </thead>
            <tbody>
              {history.map((entry) => (
                <HistoryRow v={v} entry={entry} />
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </article>
  );
}
