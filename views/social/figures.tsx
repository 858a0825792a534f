// The social figures page: a host's follower growth; for each store a merchant runs, its followers,
// referral conversions, group-buy outcomes and points, as server-rendered SVG charts.
import type { FollowerFigures, StoreFigures } from "../../modules/social/social-figures.ts";
import type { ViewContext } from "../view-context.ts";
import { BarChart, LineChart } from "./charts.tsx";

const day = (at: Date) => at.toISOString().slice(0, 10);

function Followers({ v, title, figures }: { v: ViewContext; title: string; figures: FollowerFigures }) {
  return (
    <>
      <LineChart title={title} series={[{ label: v.t("figures.followers_total"), points: figures.total }]} />
      <BarChart title={`${title} · ${v.t("figures.followers_added")}`} series={[{ label: v.t("figures.followers_added"), points: figures.added }]} />
    </>
  );
}

export interface StoreSection {
  name: string;
  figures: StoreFigures;
}

export function SocialFiguresPage({ v, days, from, to, host, stores }: { v: ViewContext; days: number; from: Date; to: Date; host: FollowerFigures | null; stores: StoreSection[] }) {
  return (
    <article id="social-figures">
      <h1>{v.t("figures.title")}</h1>
      <p class="muted">{v.t("figures.range", { days, from: day(from), to: day(to) })}</p>
      {!host && stores.length === 0 && <p>{v.t("figures.nothing")}</p>}
      {host && (
        <section class="card" id="host-figures">
          <h2>{v.t("figures.host_followers")}</h2>
          <Followers v={v} title={v.t("figures.host_followers")} figures={host} />
        </section>
      )}
      {stores.map(({ name, figures }) => (
        <section class="card store-figures">
          <h2>{name}</h2>
          <Followers v={v} title={v.t("figures.store_followers", { store: name })} figures={figures.followers} />
          <LineChart
            title={v.t("figures.referrals")}
            series={[
              { label: v.t("figures.referral_clicks"), points: figures.referralClicks },
              { label: v.t("figures.referral_orders"), points: figures.referralOrders },
            ]}
          />
          <BarChart
            title={v.t("figures.groups")}
            series={[
              { label: v.t("figures.groups_filled"), points: figures.groupsFilled },
              { label: v.t("figures.groups_failed"), points: figures.groupsFailed },
            ]}
          />
          <p class="group-rate">{figures.groupSuccessRate === null ? v.t("figures.group_rate_none") : v.t("figures.group_rate", { rate: `${Math.round(figures.groupSuccessRate * 100)} %` })}</p>
          <LineChart
            title={v.t("figures.points")}
            series={[
              { label: v.t("figures.points_issued"), points: figures.pointsIssued },
              { label: v.t("figures.points_redeemed"), points: figures.pointsRedeemed },
            ]}
          />
        </section>
      ))}
    </article>
  );
}
