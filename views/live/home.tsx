import type { LiveSession, SessionBoard } from "../../modules/live/index.ts";
import type { ProductSummary } from "../../modules/orders/index.ts";
import { Section } from "../components.tsx";
import { ProductCard } from "../orders/product-card.tsx";
import { ShowCardFollowActions } from "../social/follows.tsx";
import type { ViewContext } from "../view-context.ts";
import { showTitle } from "./show-title.ts";

function SessionCard({ v, session }: { v: ViewContext; session: LiveSession }) {
  const when =
    session.status === "live" && session.startedAt
      ? v.t("live.started", { time: v.formatTime(session.startedAt) })
      : session.status === "ended" && session.endedAt
        ? v.t("live.ended", { time: v.formatTime(session.endedAt) })
        : v.t("live.starts", { time: v.formatTime(session.scheduledAt) });
  return (
    <li class={`session-card session-card--${session.status}`}>
      {session.coverUrl && <img class="session-card__cover" src={session.coverUrl} alt="" loading="lazy" />}
      {session.status === "live" && <span class="badge badge--live">{v.t("live.badge_live")}</span>}
      <h3>
        <a href={`/live/${session.id}`}>{showTitle(v, session)}</a>
      </h3>
      <p>{v.t("live.hosted_by", { host: session.host.name, store: v.pick(session.store.nameZh, session.store.nameEn) })}</p>
      <p class="muted">
        {when} · {v.t("live.products_count", { count: session.productIds.length })}
      </p>
      <ShowCardFollowActions v={v} session={session} />
      {v.user?.id === session.host.id && session.status !== "ended" && (
        <p>
          <a class="button button--fit" href={`/studio/${session.id}`}>
            {v.t("live.studio")}
          </a>
        </p>
      )}
      {v.user?.id === session.host.id && session.status === "ended" && (
        <p>
          <a href={`/live/${session.id}/summary`}>{v.t("live.figures")}</a>
        </p>
      )}
    </li>
  );
}

function SessionList({ v, sessions, empty }: { v: ViewContext; sessions: LiveSession[]; empty: string }) {
  if (sessions.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="card-list">
      {sessions.map((session) => (
        <SessionCard v={v} session={session} />
      ))}
    </ul>
  );
}

export function HomePage({ v, board, products }: { v: ViewContext; board: SessionBoard; products: ProductSummary[] }) {
  return (
    <>
      <h1 class="page-title">{v.t("app.tagline")}</h1>
      <Section id="live-now" title={v.t("home.live_now")}>
        <SessionList v={v} sessions={board.live} empty={v.t("home.none_live")} />
      </Section>
      <Section id="upcoming" title={v.t("home.upcoming")}>
        <SessionList v={v} sessions={board.upcoming} empty={v.t("home.none_upcoming")} />
      </Section>
      <Section id="products" title={v.t("home.products")}>
        {products.length === 0 ? (
          <p class="muted">{v.t("home.none_products")}</p>
        ) : (
          <ul class="product-grid">
            {products.map((product) => (
              <ProductCard v={v} product={product} />
            ))}
          </ul>
        )}
      </Section>
      <Section id="finished" title={v.t("home.finished")}>
        <SessionList v={v} sessions={board.finished} empty={v.t("home.none_finished")} />
      </Section>
    </>
  );
}
