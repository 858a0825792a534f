// The typed variables every request carries through the middleware chain (c.var).
import type { Logger } from "./logging.ts";
import type { Locale, Translate } from "./i18n.ts";
import type { Role } from "./roles.ts";

export interface CurrentUser {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly locale: Locale | null;
  readonly createdAt: Date;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    secureCookies: boolean;
    user: CurrentUser | null;
    sessionToken: string | null;
    csrfToken: string;
    locale: Locale;
    t: Translate;
    /** IANA zone that times are shown in; the database keeps UTC. */
    timeZone: string;
    /** The signed-in person's count of unread notices, asked only when a full page is drawn. */
    unreadNotices?: () => Promise<number>;
  };
}
