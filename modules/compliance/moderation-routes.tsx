// Officer pages of content moderation: the review queue (dismiss, remove the content, warn the
// host) and the officers' additions to the term list. Every change is audited by the service.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { DomainError } from "../../src/platform/errors.ts";
import type { MessageKey } from "../../src/platform/i18n.ts";
import { redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { ModerationPage } from "../../views/compliance/moderation.tsx";
import { MODERATION_DECISIONS, TERM_CATEGORIES, type FlagStatus, type Moderation } from "./moderation.ts";

const STATUSES: readonly FlagStatus[] = ["open", "dismissed", "removed", "warned"];

const NOTICES: Record<string, { kind: "error" | "success" | "info"; key: MessageKey }> = {
  decided: { kind: "success", key: "moderation.decided" },
  removed: { kind: "success", key: "moderation.decided_removed" },
  recorded: { kind: "info", key: "moderation.decided_recorded_only" },
  term_added: { kind: "success", key: "moderation.term_added" },
  term_removed: { kind: "success", key: "moderation.term_removed" },
};

export function moderationRoutes({ moderation, displayNames }: { moderation: Moderation; displayNames: (ids: readonly string[]) => Promise<Map<string, string>> }) {
  const app = new Hono<AppEnv>();
  const officer = (c: Context<AppEnv>) => ({ type: "user" as const, id: c.var.user!.id });

  async function page(c: Context<AppEnv>, notice?: { kind: "error" | "success" | "info"; key: MessageKey }, httpStatus: 200 | 400 | 409 = 200) {
    const v = viewContext(c);
    const status = STATUSES.find((s) => s === c.req.query("status")) ?? "open";
    const [flags, terms] = await Promise.all([moderation.queue({ status }), moderation.officerTerms()]);
    const authorIds = [...new Set(flags.flatMap((flag) => (flag.authorId ? [flag.authorId] : [])))];
    const authors = authorIds.length ? await displayNames(authorIds) : new Map<string, string>();
    notice ??= NOTICES[c.req.query("done") ?? ""];
    return renderPage(c, v.t("moderation.title"), <ModerationPage v={v} status={status} flags={flags} terms={terms} highlight={moderation.highlight} authors={authors} notice={notice} />, httpStatus);
  }

  app.get("/compliance/moderation", allow.roles("officer", "admin"), (c) => page(c));

  app.post("/compliance/moderation/flags/:id/decide", allow.roles("officer", "admin"), async (c) => {
    const body = await c.req.parseBody();
    const decision = MODERATION_DECISIONS.find((d) => d === body.decision);
    if (!decision) return page(c, { kind: "error", key: "error.bad_request" }, 400);
    try {
      const flag = await moderation.decide(officer(c), c.req.param("id"), decision, String(body.note ?? ""));
      const done = decision !== "removed" ? "decided" : flag.contentRemoved ? "removed" : "recorded";
      return redirectAfterPost(c, `/compliance/moderation?done=${done}`);
    } catch (error) {
      if (error instanceof DomainError && error.code === "moderation_flag_decided") return page(c, { kind: "error", key: "moderation.flag_decided" }, 409);
      throw error;
    }
  });

  app.post("/compliance/moderation/terms", allow.roles("officer", "admin"), async (c) => {
    const body = await c.req.parseBody();
    const kind = body.kind === "allowed" ? "allowed" : "banned";
    const category = TERM_CATEGORIES.find((cat) => cat === body.category) ?? "absolute";
    try {
      await moderation.addTerm(officer(c), { term: String(body.term ?? ""), kind, category });
    } catch (error) {
      if (error instanceof DomainError && error.code === "moderation_term_invalid") return page(c, { kind: "error", key: "moderation.term_invalid" }, 400);
      throw error;
    }
    return redirectAfterPost(c, "/compliance/moderation?done=term_added");
  });

  app.post("/compliance/moderation/terms/remove", allow.roles("officer", "admin"), async (c) => {
    const body = await c.req.parseBody();
    await moderation.removeTerm(officer(c), String(body.term ?? ""));
    return redirectAfterPost(c, "/compliance/moderation?done=term_removed");
  });

  return app;
}
