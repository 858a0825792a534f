// The signed-in person's inbox: their notices, newest first, new ones marked; "mark all as read".
import type { InboxNotice } from "../../src/accounts/notifications.ts";
import { CsrfField, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";
import { noticeText } from "./notice-text.ts";

export function InboxPage({ v, notices, markedRead }: { v: ViewContext; notices: InboxNotice[]; markedRead?: boolean }) {
  const unread = notices.some((notice) => notice.readAt === null);
  return (
    <article id="inbox">
      <h1>{v.t("inbox.title")}</h1>
      {markedRead && <Notice kind="success">{v.t("inbox.marked_read")}</Notice>}
      {unread && (
        <form method="post" action="/inbox/read" class="inline-form">
          <CsrfField v={v} />
          <button type="submit" class="button button--fit">{v.t("inbox.mark_all_read")}</button>
        </form>
      )}
      {notices.length === 0 ? (
        <p>{v.t("inbox.empty")}</p>
      ) : (
        <ul class="card-list">
          {notices.map((notice) => (
            <li class={notice.readAt ? "card" : "card card--unread"} data-notice-id={notice.id}>
              {!notice.readAt && <span class="badge">{v.t("inbox.unread")}</span>}
              {noticeText(v, notice).map((line) => (
                <p>{line}</p>
              ))}
              <p class="muted small">
                {v.formatTime(notice.createdAt)}
                {notice.link && (
                  <>
                    {" · "}
                    <a href={notice.link}>{v.t("inbox.open")}</a>
                  </>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

/** The header's way to the inbox, with the number of new notices (one indexed count, full pages only). */
export async function InboxLink({ v }: { v: ViewContext }) {
  const unread = v.unreadNotices ? await v.unreadNotices() : 0;
  return (
    <a href="/inbox" data-unread={unread}>
      {unread > 0 ? v.t("nav.inbox_unread", { count: unread }) : v.t("nav.inbox")}
    </a>
  );
}
