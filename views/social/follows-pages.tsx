// The reader's Following page, and a host's public schedule with its follow button, "remind me" on
// each upcoming show and the calendar subscription.
import type { LiveSession } from "../../modules/live/index.ts";
import { Section } from "../components.tsx";
import { showTitle } from "../live/show-title.ts";
import type { ViewContext } from "../view-context.ts";
import { FollowButton, RemindButton, type FollowTargetView } from "./follows.tsx";

export interface FollowedView extends FollowTargetView {
  since: Date;
  /** Where the host's schedule or the store's community is. */
  href: string;
}

export function FollowingPage({ v, followed, reminded }: { v: ViewContext; followed: FollowedView[]; reminded: LiveSession[] }) {
  return (
    <article id="following">
      <h1>{v.t("follows.following_title")}</h1>
      {followed.length === 0 ? (
        <p class="muted">{v.t("follows.following_empty")}</p>
      ) : (
        <ul class="card-list">
          {followed.map((target) => (
            <li class="card" data-followed={`${target.type}:${target.id}`}>
              <span class="badge">{v.t(target.type === "host" ? "follows.kind.host" : "follows.kind.store")}</span> <a href={target.href}>{target.name}</a>{" "}
              <span class="muted small">{v.t("follows.since", { time: v.formatTime(target.since) })}</span>
              <FollowButton v={v} target={target} following={true} next="/following" />
            </li>
          ))}
        </ul>
      )}
      <Section id="reminders" title={v.t("follows.reminders_title")}>
        {reminded.length === 0 ? (
          <p class="muted">{v.t("follows.reminders_empty")}</p>
        ) : (
          <ul class="card-list">
            {reminded.map((session) => (
              <li class="card">
                <a href={`/live/${session.id}`}>{showTitle(v, session)}</a> <span class="muted small">{v.t("live.starts", { time: v.formatTime(session.scheduledAt) })}</span>
                <RemindButton v={v} sessionId={session.id} reminded={true} next="/following" />
              </li>
            ))}
          </ul>
        )}
      </Section>
    </article>
  );
}

export interface HostScheduleProps {
  v: ViewContext;
  host: { id: string; name: string };
  followers: number;
  /** Null for a reader who is not signed in. */
  following: boolean | null;
  shows: LiveSession[];
  reminded: Set<string>;
  calendarUrl: { https: string; webcal: string };
}

export function HostSchedulePage({ v, host, followers, following, shows, reminded, calendarUrl }: HostScheduleProps) {
  const path = `/hosts/${host.id}`;
  return (
    <article id="host-schedule">
      <h1>{v.t("follows.host_title", { name: host.name })}</h1>
      <p class="muted">{v.t(followers === 1 ? "follows.followers_one" : "follows.followers", { count: followers })}</p>
      {following === null ? (
        <a href={`/signin?next=${encodeURIComponent(path)}`}>{v.t("follows.sign_in_to_follow")}</a>
      ) : (
        <FollowButton v={v} target={{ type: "host", id: host.id, name: host.name }} following={following} next={path} />
      )}
      <p>
        <a href={calendarUrl.webcal} rel="nofollow">
          {v.t("follows.subscribe_calendar")}
        </a>{" "}
        · <a href={calendarUrl.https}>{v.t("follows.calendar_link")}</a>
      </p>
      <Section id="host-shows" title={v.t("follows.host_upcoming")}>
        {shows.length === 0 ? (
          <p class="muted">{v.t("follows.host_none")}</p>
        ) : (
          <ul class="card-list">
            {shows.map((session) => (
              <li class={`session-card session-card--${session.status}`}>
                {session.status === "live" && <span class="badge badge--live">{v.t("live.badge_live")}</span>}
                <h3>
                  <a href={`/live/${session.id}`}>{showTitle(v, session)}</a>
                </h3>
                <p class="muted">
                  {v.pick(session.store.nameZh, session.store.nameEn)} · {v.t("live.starts", { time: v.formatTime(session.scheduledAt) })}
                </p>
                {session.status === "scheduled" &&
                  (following === null ? (
                    <a href={`/signin?next=${encodeURIComponent(path)}`}>{v.t("follows.sign_in_to_remind")}</a>
                  ) : (
                    <RemindButton v={v} sessionId={session.id} reminded={reminded.has(session.id)} next={path} />
                  ))}
              </li>
            ))}
          </ul>
        )}
      </Section>
    </article>
  );
}
