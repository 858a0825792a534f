// A host's public schedule: the shows to come (and the one on air), and the same as an iCalendar feed.
// Shows come from the live module's service; the host from accounts.
import type { LiveSession } from "../live/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import type { Translate } from "../../src/platform/i18n.ts";
import type { Role } from "../../src/platform/roles.ts";
import { showTitle } from "../../views/live/show-title.ts";
import { NotAHost } from "./follows-errors.ts";
import { serializeShowCalendar, type CalendarShow } from "./show-calendar.ts";

/** How long a show is assumed to run when it has not ended yet. */
export const ASSUMED_SHOW_MS = 2 * 60 * 60 * 1000;
const HOST_SHOWS_LOOKED_AT = 200;

export interface ShowCalendarDeps {
  clock: Clock;
  accounts: { findById(id: string): Promise<{ id: string; displayName: string; roles: readonly Role[] } | null> };
  live: { sessionsOfHost(hostId: string, limit?: number): Promise<LiveSession[]> };
}

export function createShowCalendarFeed({ clock, accounts, live }: ShowCalendarDeps) {
  return {
    /** The host by id; NotAHost unless the account has the host role. */
    async host(hostId: string): Promise<{ id: string; name: string }> {
      const user = await accounts.findById(hostId);
      if (!user || !user.roles.includes("host")) throw new NotAHost();
      return { id: user.id, name: user.displayName };
    },

    /**
     * Live shows and scheduled ones, soonest first. A scheduled show whose assumed end has passed
     * without it going live is left out: it is not going to happen as announced.
     */
    async upcomingShows(hostId: string): Promise<LiveSession[]> {
      const now = clock.now().getTime();
      const shows = await live.sessionsOfHost(hostId, HOST_SHOWS_LOOKED_AT);
      return shows
        .filter((show) => show.status === "live" || (show.status === "scheduled" && show.scheduledAt.getTime() + ASSUMED_SHOW_MS > now))
        .sort((a, b) => a.scheduledAt.getTime() - b.scheduledAt.getTime());
    },

    /** The iCalendar text of the host's upcoming shows; `origin` is the site's ("https://shop.example"). */
    async feed(hostId: string, origin: string, t: Translate): Promise<string> {
      const host = await this.host(hostId);
      const appHost = new URL(origin).hostname;
      const shows: CalendarShow[] = (await this.upcomingShows(hostId)).map((show) => ({
        uid: `${show.id}@${appHost}`,
        start: show.scheduledAt,
        end: show.endedAt ?? new Date(Math.max(show.scheduledAt.getTime(), show.startedAt?.getTime() ?? 0) + ASSUMED_SHOW_MS),
        summary: showTitle({ t }, show),
        description: t("follows.calendar_description", { host: host.name, store: `${show.store.nameZh} / ${show.store.nameEn}` }),
        url: `${origin}/live/${show.id}`,
        status: "CONFIRMED",
      }));
      return serializeShowCalendar({ prodId: "-//Broadcart//Live shows//EN", name: t("follows.calendar_name", { name: host.name }), stamp: clock.now(), shows });
    },
  };
}

export type ShowCalendarFeed = ReturnType<typeof createShowCalendarFeed>;
