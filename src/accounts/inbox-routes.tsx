// The inbox page of any signed-in person, and marking its notices read.
import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../platform/context.ts";
import { allow } from "../platform/access.ts";
import { parseForm } from "../platform/forms.ts";
import { redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { InboxPage } from "../../views/accounts/inbox.tsx";
import type { Notifications } from "./notifications.ts";

/** One notice by its id, or every notice when no id is given. */
const markReadForm = v.object({ id: v.optional(v.pipe(v.string(), v.regex(/^ntf_[0-9A-Z]{26}$/, "error.bad_request"))) });

export function inboxRoutes({ notifications }: { notifications: Notifications }) {
  const app = new Hono<AppEnv>();

  app.get("/inbox", allow.signedIn(), async (c) => {
    const view = viewContext(c);
    const notices = await notifications.list(c.var.user!.id);
    return renderPage(c, view.t("inbox.title"), <InboxPage v={view} notices={notices} markedRead={c.req.query("done") === "read"} />);
  });

  app.post("/inbox/read", allow.signedIn(), async (c) => {
    const form = parseForm(markReadForm, await c.req.parseBody());
    if (!form.ok) {
      const view = viewContext(c);
      return renderPage(c, view.t("inbox.title"), <InboxPage v={view} notices={await notifications.list(c.var.user!.id)} />, 400);
    }
    await notifications.markRead(c.var.user!.id, form.value.id ? [form.value.id] : "all");
    return redirectAfterPost(c, "/inbox?done=read");
  });

  return app;
}
