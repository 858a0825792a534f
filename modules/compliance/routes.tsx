// Officer pages of the compliance module: the audit trail's search, an entry's detail, chain
// verification and signed exports.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { NotFound } from "../../src/platform/errors.ts";
import { wallTimeToUtc } from "../../src/platform/zoned-time.ts";
import { renderPage, isHtmx } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { Notice } from "../../views/components.tsx";
import { AuditEntryPage, AuditPage, AuditResults, ChainVerdictNotice, type AuditFilterErrors, type AuditFilters } from "../../views/compliance/audit.tsx";
import { AuditSigningUnavailable, type AuditQuery, type AuditTrail } from "./audit.ts";

const PAGE_SIZE = 50;
const MINUTE = 60_000;
const ACTOR_TYPES = ["user", "device", "system"] as const;

/** The search's filters as typed, and as a query; a `to` time includes its whole minute. */
function readFilters(c: Context<AppEnv>): { filters: AuditFilters; query: AuditQuery; errors: AuditFilterErrors } {
  const text = (name: string) => (c.req.query(name) ?? "").trim().slice(0, 200);
  const filters: AuditFilters = { actorType: text("actorType"), actorId: text("actorId"), action: text("action"), subject: text("subject"), from: text("from"), to: text("to") };
  const errors: AuditFilterErrors = {};
  const query: AuditQuery = { limit: PAGE_SIZE };
  const actorType = ACTOR_TYPES.find((type) => type === filters.actorType);
  if (actorType) query.actorType = actorType;
  else filters.actorType = "";
  if (filters.actorId) query.actorId = filters.actorId;
  if (filters.action) query.action = filters.action;
  if (filters.subject) query.subject = filters.subject;
  for (const bound of ["from", "to"] as const) {
    if (!filters[bound]) continue;
    const at = wallTimeToUtc(filters[bound], c.var.timeZone);
    if (!at) errors[bound] = "audit.filter_bad_time";
    else query[bound] = bound === "to" ? new Date(at.getTime() + MINUTE) : at;
  }
  const before = text("before");
  if (/^\d{1,15}$/.test(before)) query.before = Number(before);
  return { filters, query, errors };
}

export function complianceRoutes({ audit }: { audit: AuditTrail }) {
  const app = new Hono<AppEnv>();

  app.get("/compliance/audit", allow.roles("officer", "admin"), async (c) => {
    const v = viewContext(c);
    const { filters, query, errors } = readFilters(c);
    const page = Object.keys(errors).length ? { entries: [], older: null } : await audit.search(query);
    const status = Object.keys(errors).length ? 400 : 200;
    // HTMX asks from the search form and the "older" link, both of which swap the results only.
    if (isHtmx(c)) return c.html(<AuditResults v={v} filters={filters} page={page} errors={errors} />, status);
    return renderPage(c, v.t("audit.title"), <AuditPage v={v} filters={filters} page={page} timeZone={c.var.timeZone} errors={errors} />, status);
  });

  app.post("/compliance/audit/verify", allow.roles("officer", "admin"), async (c) => {
    const v = viewContext(c);
    const verdict = await audit.verifyChain();
    return renderPage(c, v.t("audit.title"), <ChainVerdictNotice v={v} verdict={verdict} />);
  });

  // Registered before /:seq so "export" is not read as an entry number.
  app.get("/compliance/audit/export", allow.roles("officer", "admin"), async (c) => {
    const v = viewContext(c);
    const { query, errors } = readFilters(c);
    if (Object.keys(errors).length) {
      return renderPage(c, v.t("audit.title"), <Notice kind="error">{v.t("audit.filter_bad_time")}</Notice>, 400);
    }
    try {
      const { body, signature } = await audit.exportRange({ type: "user", id: c.var.user!.id }, { from: query.from ?? null, to: query.to ?? null });
      const stamp = (iso: string | null, fallback: string) => (iso ? iso.replace(/[:.]/g, "").slice(0, 15) : fallback);
      const name = `audit-${stamp(signature.from, "start")}-${stamp(signature.to, "now")}.jsonl`;
      return c.body(body, 200, {
        "content-type": "application/x-ndjson; charset=utf-8",
        "content-disposition": `attachment; filename="${name}"`,
        "cache-control": "no-store",
      });
    } catch (error) {
      if (error instanceof AuditSigningUnavailable) return renderPage(c, v.t("audit.title"), <Notice kind="error">{v.t("audit.export_unavailable")}</Notice>, 503);
      throw error;
    }
  });

  app.get("/compliance/audit/:seq", allow.roles("officer", "admin"), async (c) => {
    const v = viewContext(c);
    const text = c.req.param("seq");
    const entry = /^\d{1,15}$/.test(text) ? await audit.entry(Number(text)) : null;
    if (!entry) throw new NotFound("audit_entry_not_found");
    return renderPage(c, v.t("audit.entry_title", { seq: entry.seq }), <AuditEntryPage v={v} entry={entry} />);
  });

  return app;
}
