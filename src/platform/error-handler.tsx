// Maps errors to HTTP once: domain errors keep their status, anything else is a logged 500.
// APIs get JSON; pages get the error page, or just the message fragment for an HTMX request.
import type { Context } from "hono";
import type { AppEnv } from "./context.ts";
import { DomainError } from "./errors.ts";
import { translator } from "./i18n.ts";
import { ErrorMessage, ErrorPage } from "../../views/error.tsx";
import { isHtmx, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";

const apiPrefixes = ["/api/", "/pos/v1/"];

function wantsJson(c: Context<AppEnv>): boolean {
  return apiPrefixes.some((prefix) => c.req.path.startsWith(prefix)) || (c.req.header("accept") ?? "").startsWith("application/json");
}

export function handleError(error: Error, c: Context<AppEnv>): Response | Promise<Response> {
  const domain = error instanceof DomainError ? error : null;
  const status = domain?.status ?? 500;
  if (!domain) c.var.log?.error("unhandled error", { error: error.message, stack: error.stack });
  // An error raised before the locale middleware ran still gets a readable answer.
  if (!c.var.t) c.set("t", translator("zh-CN"));
  const t = c.var.t;
  const message = domain ? t(domain.messageKey) : t("error.internal", { requestId: c.var.requestId });
  if (wantsJson(c)) return c.json({ error: { code: domain?.code ?? "internal", message }, requestId: c.var.requestId }, status);
  const v = viewContext(c);
  if (isHtmx(c)) return c.html(<ErrorMessage v={v} message={message} />, status);
  return renderPage(c, t("error.title"), <ErrorPage v={v} message={message} />, status);
}

export function handleNotFound(c: Context<AppEnv>): Response | Promise<Response> {
  return handleError(new DomainError(404, "not_found", "error.not_found"), c);
}
