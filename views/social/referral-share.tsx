// "Share" on a product page and a watch page: a form that asks for the reader's personal short link
// and shows it in place (HTMX) or on its own page (no JavaScript), ready to copy.
import { CsrfField } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

export interface ShareTarget {
  type: "product" | "live_session";
  id: string;
}

export function ShareSlot({ v, target }: { v: ViewContext; target: ShareTarget }) {
  if (!v.user) return <a href={`/signin?next=${encodeURIComponent(v.path)}`}>{v.t("referrals.share_sign_in")}</a>;
  return (
    <form method="post" action="/referrals/links" hx-post="/referrals/links" hx-target="this" hx-swap="outerHTML" class="inline-form" data-share={`${target.type}:${target.id}`}>
      <CsrfField v={v} />
      <input type="hidden" name="targetType" value={target.type} />
      <input type="hidden" name="targetId" value={target.id} />
      <button type="submit" class="button button--fit">{v.t("referrals.share")}</button>
    </form>
  );
}

/** The short link in a read-only field, to copy. */
export function ShareLinkBox({ v, url }: { v: ViewContext; url: string }) {
  return (
    <div class="share-link" data-testid="share-link">
      <label for="share-url">{v.t("referrals.link_label")}</label>{" "}
      <input id="share-url" type="text" readonly value={url} size={Math.min(url.length, 48)} />
      <p class="muted small">{v.t("referrals.share_hint")}</p>
    </div>
  );
}
