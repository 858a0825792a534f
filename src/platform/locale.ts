// Chooses the page language: the `lang` cookie set by the switch, then Accept-Language, then the default.
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "./context.ts";
import { isLocale, negotiateLocale, translator, type Locale } from "./i18n.ts";

export const LOCALE_COOKIE = "bc_lang";

export function localeSelection(defaultLocale: Locale): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const chosen = getCookie(c, LOCALE_COOKIE);
    const locale = isLocale(chosen) ? chosen : negotiateLocale(c.req.header("accept-language"), defaultLocale);
    c.set("locale", locale);
    c.set("t", translator(locale));
    await next();
  };
}
