// The document around every full page: head, header with navigation, the language switch.
import type { Child } from "hono/jsx";
import { locales } from "../src/platform/i18n.ts";
import { InboxLink } from "./accounts/inbox.tsx";
import { CsrfField } from "./components.tsx";
import type { ViewContext } from "./view-context.ts";

const localeNames = { "zh-CN": "简体中文", en: "English" } as const;

export function Layout({ v, title, children }: { v: ViewContext; title: string; children: Child }) {
  // htmx 4 inherits attributes only when asked to: every request from this page carries the CSRF header.
  const csrfHeaders = { "hx-headers:inherited": JSON.stringify({ "X-CSRF-Token": v.csrfToken }) };
  return (
    <html lang={v.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${v.t("app.name")}`}</title>
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/vendor/htmx.min.js" defer></script>
      </head>
      <body {...csrfHeaders}>
        <a class="skip-link" href="#main">
          {v.t("nav.skip")}
        </a>
        <header class="site-header">
          <a class="brand" href="/">
            {v.t("app.name")}
          </a>
          <nav aria-label="main">
            <ul>
              <li><a href="/">{v.t("nav.home")}</a></li>
              {v.user && <li><a href="/cart">{v.t("nav.cart")}</a></li>}
              {v.user && <li><a href="/orders">{v.t("nav.orders")}</a></li>}
              {v.user && <li><a href="/member">{v.t("points.nav")}</a></li>}
              {v.user && <li><a href="/account/referrals">{v.t("nav.referrals")}</a></li>}
              {v.user && <li><a href="/following">{v.t("follows.following_title")}</a></li>}
              {v.can("host", "merchant") && <li><a href="/figures/social">{v.t("figures.nav")}</a></li>}
              {v.can("host") && <li><a href="/studio">{v.t("live.my_shows")}</a></li>}
              {v.can("merchant") && <li><a href="/merchant/products">{v.t("merchant.products.nav")}</a></li>}
              {v.can("merchant") && <li><a href="/merchant/orders">{v.t("nav.store_orders")}</a></li>}
              {v.can("merchant") && <li><a href="/merchant/coupons">{v.t("nav.store_coupons")}</a></li>}
              {v.can("merchant") && <li><a href="/merchant/referrals">{v.t("nav.store_referrals")}</a></li>}
              {v.can("merchant") && <li><a href="/merchant/tier-coupons">{v.t("points.tier_coupons.nav")}</a></li>}
              {v.can("merchant") && <li><a href="/merchant/group-buys">{v.t("nav.store_group_buys")}</a></li>}
              {v.can("merchant") && <li><a href="/merchant/pos">{v.t("nav.store_pos")}</a></li>}
              {v.can("officer", "admin") && <li><a href="/compliance/audit">{v.t("nav.audit")}</a></li>}
              {v.can("officer", "admin") && <li><a href="/compliance/hosts">{v.t("verification.queue")}</a></li>}
              {v.can("officer", "admin") && <li><a href="/compliance/moderation">{v.t("nav.moderation")}</a></li>}
              {v.can("officer", "admin") && <li><a href="/compliance/risk">{v.t("nav.risk")}</a></li>}
              {v.can("officer", "admin") && <li><a href="/compliance/privacy">{v.t("privacy.queue")}</a></li>}
              {v.can("host") && <li><a href="/account/verification">{v.t("verification.title")}</a></li>}
              {v.can("admin") && <li><a href="/admin/users">{v.t("nav.users")}</a></li>}
              {v.user ? (
                <>
                  <li><InboxLink v={v} /></li>
                  <li><a href="/account">{v.t("nav.account")}</a></li>
                  <li>
                    <form method="post" action="/signout" class="inline-form">
                      <CsrfField v={v} />
                      <button type="submit" class="link-button">{v.t("nav.signout")}</button>
                    </form>
                  </li>
                </>
              ) : (
                <>
                  <li><a href="/signin">{v.t("nav.signin")}</a></li>
                  <li><a href="/signup">{v.t("nav.signup")}</a></li>
                </>
              )}
            </ul>
          </nav>
        </header>
        <main id="main">{children}</main>
        <footer class="site-footer">
          <form method="post" action="/locale" class="inline-form">
            <CsrfField v={v} />
            <label for="locale-switch">{v.t("locale.switch")}</label>{" "}
            <select id="locale-switch" name="locale">
              {locales.map((locale) => (
                <option value={locale} selected={locale === v.locale}>
                  {localeNames[locale]}
                </option>
              ))}
            </select>{" "}
            <button type="submit">{v.t("locale.apply")}</button>
          </form>
          <p>{v.t("app.tagline")}</p>
        </footer>
      </body>
    </html>
  );
}
