// After the show: its figures and the products it showed, for the host and the store's staff.
import type { LiveSession } from "../../modules/live/index.ts";
import type { Product } from "../../modules/orders/index.ts";
import type { ViewContext } from "../view-context.ts";
import { showTitle } from "./show-title.ts";

export function SummaryPage(props: { v: ViewContext; session: LiveSession; products: Product[]; figures: { peakViewers: number; likes: number; orders: number; gmvFen: number; buyers: number; currency: string; soldProductIds: string[] } }) {
  const { v, session, products, figures } = props;
  const conversion = figures.peakViewers > 0 ? `${((figures.buyers / figures.peakViewers) * 100).toFixed(1)}%` : "—";
  return (
    <article class="card">
      <h1>{showTitle(v, session)}</h1>
      <p class="muted">
        {v.t("live.hosted_by", { host: session.host.name, store: v.pick(session.store.nameZh, session.store.nameEn) })}
        {session.endedAt && <> · {v.t("live.ended", { time: v.formatTime(session.endedAt) })}</>}
      </p>
      <h2>{v.t("live.figures")}</h2>
      <dl class="facts">
        <dt>{v.t("live.panel.peak")}</dt>
        <dd data-testid="summary-peak">{figures.peakViewers}</dd>
        <dt>{v.t("live.panel.likes")}</dt>
        <dd>{figures.likes}</dd>
        <dt>{v.t("live.panel.orders")}</dt>
        <dd data-testid="summary-orders">{figures.orders}</dd>
        <dt>{v.t("live.panel.gmv")}</dt>
        <dd data-testid="summary-gmv">{v.formatMoney({ amount: figures.gmvFen, currency: figures.currency })}</dd>
        <dt>{v.t("live.panel.conversion")}</dt>
        <dd>{conversion}</dd>
      </dl>
      <h2>{v.t("live.products_shown")}</h2>
      <ul>
        {products.map((product) => (
          <li>
            <a href={`/products/${product.id}`}>{v.pick(product.titleZh, product.titleEn)}</a>
            {figures.soldProductIds.includes(product.id) && <span class="badge badge--paid"> {v.t("live.sold")}</span>}
          </li>
        ))}
      </ul>
    </article>
  );
}
