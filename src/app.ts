// createApp(deps): the one Hono app every runtime serves. It never reads the environment or asks
// which runtime it is on; entries (src/server.ts, edge/) decide where everything comes from.
import { Hono, type MiddlewareHandler } from "hono";
import { setCookie } from "hono/cookie";
import type { AppEnv } from "./platform/context.ts";
import { allow } from "./platform/access.ts";
import { cookiePolicy } from "./platform/cookies.ts";
import { csrfProtection } from "./platform/csrf.ts";
import { handleError, handleNotFound } from "./platform/error-handler.tsx";
import { isLocale, type Locale } from "./platform/i18n.ts";
import { LOCALE_COOKIE, localeSelection } from "./platform/locale.ts";
import type { Logger } from "./platform/logging.ts";
import { requestLog } from "./platform/request-log.ts";
import { sessions } from "./platform/session.ts";
import { accountRoutes } from "./accounts/routes.tsx";
import { inboxRoutes } from "./accounts/inbox-routes.tsx";
import { complianceRoutes, moderationRoutes, privacyRoutes, segmentsOf, verificationRoutes } from "../modules/compliance/index.ts";
import { liveRoutes, roomRoutes, scheduleRoutes } from "../modules/live/index.ts";
import { orderRoutes, riskRoutes } from "../modules/orders/index.ts";
import { posRoutes } from "../modules/pos/index.ts";
import { communityRoutes, figuresRoutes, followsRoutes, groupBuyRoutes, membershipRoutes, referralRoutes } from "../modules/social/index.ts";
import { tierCouponRoutes } from "../modules/social/index.ts";
import { browserId } from "../modules/orders/index.ts";
import type { Services } from "./services.ts";

export interface AppSettings {
  sessionSecret: string;
  cookieSecure: "auto" | "always" | "never";
  trustProxy: boolean;
  defaultLocale: Locale;
  timeZone: string;
}

export interface AppDeps {
  services: Services;
  settings: AppSettings;
  logger: Logger;
  /** Serves files under /static/ from the runtime's asset folder. */
  serveStatic: MiddlewareHandler;
}

/** Paths whose callers sign every request themselves, so CSRF tokens do not apply. */
const csrfExempt = ["/pos/v1/", "/webhooks/"];

export function createApp({ services, settings, logger, serveStatic }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.use(requestLog(logger));
  app.use(cookiePolicy({ secure: settings.cookieSecure, trustProxy: settings.trustProxy }));
  app.use(localeSelection(settings.defaultLocale));
  app.use(async (c, next) => {
    c.set("timeZone", settings.timeZone);
    await next();
  });
  app.use(sessions(settings.sessionSecret, (token) => services.accounts.resolveSession(token)));
  app.use(async (c, next) => {
    const user = c.var.user;
    if (user) c.set("unreadNotices", () => services.notifications.unreadCount(user.id));
    await next();
  });
  app.use(csrfProtection({ secret: settings.sessionSecret, exemptPrefixes: csrfExempt }));
  app.onError(handleError);
  app.notFound(handleNotFound);

  // A bare liveness route: no database, no templates. Also the baseline of bench/http.ts.
  app.get("/healthz", allow.public(), (c) => c.text("ok"));
  app.get("/static/*", allow.public(), serveStatic);

  app.post("/locale", allow.public(), async (c) => {
    const { locale } = await c.req.parseBody();
    if (isLocale(locale)) setCookie(c, LOCALE_COOKIE, locale, { path: "/", sameSite: "Lax", secure: c.var.secureCookies, maxAge: 365 * 24 * 3600 });
    return c.redirect(sameSitePath(c.req.header("referer"), c.req.url), 303);
  });

  app.route("/", accountRoutes({ accounts: services.accounts, sessionSecret: settings.sessionSecret, personalData: services.personalData }));
  app.route("/", liveRoutes({ live: services.live, catalog: services.catalog }));
  app.route("/", scheduleRoutes({ live: services.live, catalog: services.catalog }));
  app.route("/", roomRoutes({ live: services.live, rooms: services.rooms, showcase: services.showcase, catalog: services.catalog, orders: services.orders, feed: services.liveRoom, gateway: services.roomGateway }));
  app.route("/", orderRoutes({ catalog: services.catalog, orders: services.orders, displayNames: (ids: readonly string[]) => services.accounts.displayNames(ids), copyFlags: productCopyFlags(services) }));
  app.route("/", posRoutes({ pos: services.pos, display: services.posDisplay }));
  app.route("/", privacyRoutes({ erasure: services.erasure, displayNames: (ids) => services.accounts.displayNames(ids) }));
  app.route("/", verificationRoutes({ verification: services.hostVerification, displayNames: (ids) => services.accounts.displayNames(ids) }));
  app.route("/", complianceRoutes({ audit: services.audit }));
  app.route("/", riskRoutes({ orders: services.orders }));
  app.route("/", moderationRoutes({ moderation: services.moderation, displayNames: (ids) => services.accounts.displayNames(ids) }));
  app.route("/", inboxRoutes({ notifications: services.notifications }));
  app.route("/", communityRoutes({ community: services.community, catalog: services.catalog }));
  app.route("/", followsRoutes({ follows: services.follows, calendar: services.showCalendar, displayNames: (ids) => services.accounts.displayNames(ids), catalog: services.catalog, live: services.live }));
  app.route("/", membershipRoutes({ membership: services.membership, tierCoupons: services.tierCoupons }));
  app.route("/", tierCouponRoutes({ tierCoupons: services.tierCoupons, catalog: services.catalog, coupons: services.orders.coupons, now: () => services.tierCoupons.now() }));
  app.route("/", groupBuyRoutes({ groupBuys: services.groupBuys, orders: services.orders, catalog: services.catalog, live: services.live }));
  app.route("/", referralRoutes({ referrals: services.referrals, catalog: services.catalog, live: services.live, managedStore: (userId) => services.orders.managedStore(userId), browserId }));
  app.route("/", figuresRoutes({ figures: services.socialFigures, catalog: services.catalog }));

  return app;
}

/** A product's copy waiting for review, as its merchant's editor shows it: the terms found on saving marked. */
function productCopyFlags(services: Services) {
  return async (productId: string) => (await services.moderation.flagsOf("product", productId)).map((flag) => ({ field: flag.field, segments: segmentsOf(flag.text, flag.terms) }));
}

/** The path of `referer` when it is on this site, so the language switch returns to the same page. */
function sameSitePath(referer: string | undefined, requestUrl: string): string {
  if (!referer || !URL.canParse(referer)) return "/";
  const back = new URL(referer);
  return back.host === new URL(requestUrl).host ? back.pathname + back.search : "/";
}

export type App = ReturnType<typeof createApp>;
