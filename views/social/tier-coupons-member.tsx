// The member page's tier benefits: the points multiplier of the member's tier and the tier coupons it
// brings (held already, or coming with their next paid order).
import type { Tier } from "../../modules/social/membership-rules.ts";
import type { TierBenefit } from "../../modules/social/tier-coupons.ts";
import { CouponSummary } from "../orders/merchant-coupons.tsx";
import type { ViewContext } from "../view-context.ts";

export function TierBenefits({ v, tier, benefits }: { v: ViewContext; tier: Tier; benefits: TierBenefit[] }) {
  return (
    <div class="card" id="member-benefits">
      <h2>{v.t("points.benefits.title")}</h2>
      <p data-testid="benefit-multiplier">{v.t("points.multiplier", { percent: tier.multiplierPercent })}</p>
      {benefits.length === 0 ? (
        <p class="muted small">{v.t(tier.id === "regular" ? "points.benefits.coupons_from_silver" : "points.benefits.no_coupons")}</p>
      ) : (
        <ul data-testid="tier-coupons">
          {benefits.map((benefit) => (
            <li data-coupon={benefit.coupon.code} data-granted={String(benefit.granted)}>
              {v.pick(benefit.coupon.nameZh, benefit.coupon.nameEn)} · <CouponSummary v={v} coupon={benefit.coupon} />
              {benefit.store && <> · {v.pick(benefit.store.nameZh, benefit.store.nameEn)}</>} ({v.t(`points.tier.${benefit.tier}`)}) —{" "}
              <span class="small">{benefit.granted ? v.t("points.benefits.held", { code: benefit.coupon.code }) : v.t("points.benefits.next_order")}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
