// The host's studio: camera preview and going live, the line-up with pin buttons, flash sales, live
// coupons, the live panel and the chat with a remove button per viewer.
import type { ChatLine, LiveSession, ShowcaseCard } from "../../modules/live/index.ts";
import type { Product } from "../../modules/orders/index.ts";
import { CsrfField, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";
import { ShowcaseCardView } from "./showcase.tsx";
import { ChatLines, RoomScripts } from "./watch.tsx";
import { showTitle } from "./show-title.ts";

export interface StudioFigures {
  viewersNow: number;
  peakViewers: number;
  likes: number;
  orders: number;
  gmvFen: number;
  currency: string;
}

function Post({ v, action, label, primary = false, children }: { v: ViewContext; action: string; label: string; primary?: boolean; children?: unknown }) {
  return (
    <form method="post" action={action} hx-post={action} hx-target="#studio-notice" class="inline-form">
      <CsrfField v={v} />
      {children as never}
      <button type="submit" class={primary ? "button button--primary button--fit" : "button"}>
        {label}
      </button>
    </form>
  );
}

export function StudioNotice({ message, kind = "success" }: { message?: string; kind?: "success" | "error" }) {
  return <div id="studio-notice" aria-live="polite">{message && <Notice kind={kind}>{message}</Notice>}</div>;
}

export function StudioPage(props: { v: ViewContext; session: LiveSession; lineUp: Product[]; card: ShowcaseCard | null; chat: ChatLine[]; figures: StudioFigures; available: boolean }) {
  const { v, session, lineUp, card, chat, figures, available } = props;
  const live = session.status === "live";
  const base = `/studio/${session.id}`;
  const money = (fen: number) => v.formatMoney({ amount: fen, currency: figures.currency });
  return (
    <article id="room" class="room studio" data-role="host" data-session={session.id} data-join={`${base}/join`} data-locale={v.locale}>
      <h1 class="room__title">
        {v.t("live.studio")}: {showTitle(v, session)}
      </h1>
      {!available && <Notice kind="info">{v.t("live.unavailable")}</Notice>}
      <StudioNotice />
      <div class="stage">
        <video id="preview" class="video" autoplay muted playsinline aria-label={v.t("live.preview")} />
        <p id="stage-status" class="muted small" aria-live="polite" />
      </div>
      <div class="actions">
        {session.status === "scheduled" && available && (
          <form method="post" action={`${base}/go-live`} class="inline-form">
            <CsrfField v={v} />
            <button type="submit" class="button button--primary button--fit">
              {v.t("live.go_live")}
            </button>
          </form>
        )}
        {live && (
          <form method="post" action={`${base}/end`} class="inline-form">
            <CsrfField v={v} />
            <button type="submit" class="button">{v.t("live.end")}</button>
          </form>
        )}
      </div>
      <dl class="facts live-panel" id="panel">
        <dt>{v.t("live.panel.viewers")}</dt>
        <dd id="panel-viewers">{figures.viewersNow}</dd>
        <dt>{v.t("live.panel.peak")}</dt>
        <dd id="panel-peak">{figures.peakViewers}</dd>
        <dt>{v.t("live.panel.likes")}</dt>
        <dd id="panel-likes">{figures.likes}</dd>
        <dt>{v.t("live.panel.orders")}</dt>
        <dd id="panel-orders" data-testid="panel-orders">
          {figures.orders}
        </dd>
        <dt>{v.t("live.panel.gmv")}</dt>
        <dd id="panel-gmv">{money(figures.gmvFen)}</dd>
      </dl>
      <ShowcaseCardView v={v} card={card} sessionId={session.id} buyable={false} />
      <section aria-label={v.t("live.line_up")}>
        <h2>{v.t("live.line_up")}</h2>
        <ul class="line-up">
          {lineUp.map((product) => (
            <li>
              {v.pick(product.titleZh, product.titleEn)}{" "}
              {card?.productId === product.id ? (
                <Post v={v} action={`${base}/pin`} label={v.t("live.unpin")} />
              ) : (
                <Post v={v} action={`${base}/pin`} label={v.t("live.pin")}>
                  <input type="hidden" name="productId" value={product.id} />
                </Post>
              )}
            </li>
          ))}
        </ul>
      </section>
      {live && (
        <section aria-label={v.t("live.flash_sale")}>
          <h2>{v.t("live.flash_sale")}</h2>
          <form method="post" action={`${base}/flash-sale`} hx-post={`${base}/flash-sale`} hx-target="#studio-notice" class="form--inline">
            <CsrfField v={v} />
            <label class="label--wide">
              SKU{" "}
              <select name="skuId">
                {lineUp.flatMap((product) =>
                  product.skus.map((sku) => (
                    <option value={sku.id}>
                      {v.pick(product.titleZh, product.titleEn)} · {v.pick(sku.optionZh, sku.optionEn)} ({v.formatMoney(sku.price)})
                    </option>
                  )),
                )}
              </select>
            </label>
            <label>
              {v.t("live.flash_sale.price")} <input name="price" inputmode="decimal" required size={6} />
            </label>
            <label>
              {v.t("live.flash_sale.units")} <input name="units" type="number" min="1" required size={4} />
            </label>
            <label>
              {v.t("live.flash_sale.minutes")} <input name="minutes" type="number" min="1" max="120" value="5" required size={3} />
            </label>
            <button type="submit" class="button">{v.t("live.flash_sale.start")}</button>
          </form>
        </section>
      )}
      {live && (
        <section aria-label={v.t("live.coupon.issue")}>
          <h2>{v.t("live.coupon.issue")}</h2>
          <form method="post" action={`${base}/coupon`} hx-post={`${base}/coupon`} hx-target="#studio-notice" class="form--inline">
            <CsrfField v={v} />
            <label>
              {v.t("live.coupon.amount")} <input name="amount" inputmode="decimal" required size={6} />
            </label>
            <label>
              {v.t("live.coupon.min_spend")} <input name="minSpend" inputmode="decimal" size={6} />
            </label>
            <label>
              {v.t("live.coupon.total")} <input name="total" type="number" min="1" value="100" required size={5} />
            </label>
            <label>
              {v.t("live.flash_sale.minutes")} <input name="minutes" type="number" min="1" value="30" required size={4} />
            </label>
            <button type="submit" class="button">{v.t("live.coupon.issue")}</button>
          </form>
        </section>
      )}
      <section class="chat" aria-label={v.t("live.chat.title")}>
        <h2>{v.t("live.chat.title")}</h2>
        <ChatLines lines={chat} removable v={v} sessionId={session.id} />
      </section>
      {available && <RoomScripts />}
    </article>
  );
}
