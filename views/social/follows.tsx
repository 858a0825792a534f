// Follow / unfollow and "remind me" buttons, and the slots other pages put them in. A button is a form
// that works without JavaScript (it posts and comes back); HTMX swaps the button in place instead.
import type { LiveSession } from "../../modules/live/index.ts";
import { CsrfField } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

export interface FollowTargetView {
  type: "host" | "store";
  id: string;
  name: string;
}

const targetPath = (target: Pick<FollowTargetView, "type" | "id">) => `/follows/${target.type}/${target.id}`;
const signInLink = (v: ViewContext) => `/signin?next=${encodeURIComponent(v.path)}`;

export function FollowButton({ v, target, following, next }: { v: ViewContext; target: FollowTargetView; following: boolean; next: string }) {
  const action = following ? `${targetPath(target)}/unfollow` : targetPath(target);
  const label = following ? (target.type === "host" ? "follows.unfollow_host" : "follows.unfollow_store") : target.type === "host" ? "follows.follow_host" : "follows.follow_store";
  return (
    <form method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" class="inline-form" data-follow={`${target.type}:${target.id}`}>
      <CsrfField v={v} />
      <input type="hidden" name="next" value={next} />
      <button type="submit" class={following ? "link-button" : "button button--fit"} aria-pressed={following ? "true" : "false"}>
        {v.t(label, { name: target.name })}
      </button>
    </form>
  );
}

export function RemindButton({ v, sessionId, reminded, next }: { v: ViewContext; sessionId: string; reminded: boolean; next: string }) {
  const action = reminded ? `/reminders/${sessionId}/cancel` : `/reminders/${sessionId}`;
  return (
    <form method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" class="inline-form" data-remind={sessionId}>
      <CsrfField v={v} />
      <input type="hidden" name="next" value={next} />
      <button type="submit" class={reminded ? "link-button" : "button button--fit"} aria-pressed={reminded ? "true" : "false"}>
        {v.t(reminded ? "follows.remind_cancel" : "follows.remind")}
      </button>
    </form>
  );
}

/**
 * A follow button on a page that does not know whether the reader follows (the live pages): it shows
 * "Follow" (following is idempotent, so that form is right either way) and asks for the real state.
 */
export function FollowSlot({ v, target }: { v: ViewContext; target: FollowTargetView }) {
  if (!v.user) return <a href={signInLink(v)}>{v.t("follows.sign_in_to_follow")}</a>;
  const state = `${targetPath(target)}/button?next=${encodeURIComponent(v.path)}`;
  return (
    <span hx-get={state} hx-trigger="load" hx-swap="outerHTML">
      <FollowButton v={v} target={target} following={false} next={v.path} />
    </span>
  );
}

/** "Remind me" on a show card of a page that does not know the reader's reminders. */
export function RemindSlot({ v, sessionId }: { v: ViewContext; sessionId: string }) {
  if (!v.user) return <a href={signInLink(v)}>{v.t("follows.sign_in_to_remind")}</a>;
  const state = `/reminders/${sessionId}/button?next=${encodeURIComponent(v.path)}`;
  return (
    <span hx-get={state} hx-trigger="load" hx-swap="outerHTML">
      <RemindButton v={v} sessionId={sessionId} reminded={false} next={v.path} />
    </span>
  );
}

/**
 * Under a show's title on the watch page: follow its host and its store, its host's schedule, "remind me".
 * A <div>, not a <p>: the buttons are forms, and a <form> closes an open <p> (the parser would leave a
 * stale copy of the first button outside the slot it loads into).
 */
export function ShowFollowBar({ v, session }: { v: ViewContext; session: Pick<LiveSession, "id" | "status" | "host" | "store"> }) {
  const schedule = <a href={`/hosts/${session.host.id}`}>{v.t("follows.host_title", { name: session.host.name })}</a>;
  if (!v.user) return <p class="follow-bar">{schedule} · <a href={signInLink(v)}>{v.t("follows.sign_in_to_follow")}</a></p>;
  return (
    <div class="follow-bar">
      {v.user.id !== session.host.id && <FollowSlot v={v} target={{ type: "host", id: session.host.id, name: session.host.name }} />}{" "}
      <FollowSlot v={v} target={{ type: "store", id: session.store.id, name: v.pick(session.store.nameZh, session.store.nameEn) }} />{" "}
      {session.status === "scheduled" && <RemindSlot v={v} sessionId={session.id} />} {schedule}
    </div>
  );
}

/** On an upcoming show's card: "remind me" and the way to its host's schedule. */
export function ShowCardFollowActions({ v, session }: { v: ViewContext; session: Pick<LiveSession, "id" | "status" | "host"> }) {
  if (session.status !== "scheduled") return null;
  return (
    <div class="follow-bar">
      {v.user?.id !== session.host.id && <RemindSlot v={v} sessionId={session.id} />} <a href={`/hosts/${session.host.id}`}>{v.t("follows.host_title", { name: session.host.name })}</a>
    </div>
  );
}
