// What every template needs from the request: strings, locale, the signed-in user, the CSRF token.
import type { Context } from "hono";
import type { AppEnv, CurrentUser } from "../src/platform/context.ts";
import type { Locale, Translate } from "../src/platform/i18n.ts";
import { formatMoney, type Money } from "../src/platform/money.ts";
import type { Role } from "../src/platform/roles.ts";

export interface ViewContext {
  t: Translate;
  locale: Locale;
  user: CurrentUser | null;
  csrfToken: string;
  path: string;
  requestId: string;
  formatTime(date: Date): string;
  formatMoney(value: Money): string;
  can(...roles: Role[]): boolean;
  /** The Chinese or the English text of a bilingual record, by the page's locale. */
  pick(zh: string, en: string): string;
  /** The signed-in person's unread notices, for the header (one query, when called). */
  unreadNotices?: (() => Promise<number>) | undefined;
}

// Building an Intl.DateTimeFormat costs more than rendering a small page, so one is kept per locale and zone.
const timeFormats = new Map<string, Intl.DateTimeFormat>();

function timeFormatFor(locale: Locale, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}`;
  let format = timeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: "medium", timeStyle: "short" });
    timeFormats.set(key, format);
  }
  return format;
}

export function viewContext(c: Context<AppEnv>): ViewContext {
  const { t, locale, user, csrfToken, timeZone, requestId, unreadNotices } = c.var;
  const timeFormat = timeFormatFor(locale, timeZone);
  return {
    t,
    locale,
    user,
    csrfToken,
    requestId,
    path: c.req.path,
    formatTime: (date) => timeFormat.format(date),
    formatMoney,
    can: (...roles) => !!user && user.roles.some((role) => roles.includes(role)),
    pick: (zh, en) => (locale === "zh-CN" ? zh : en),
    unreadNotices,
  };
}
