// Real-name verification pages: a host submits their legal name, ID number and a photo of the ID;
// officers review the queue, reveal the sealed details with a recorded reason, and decide.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { DomainError, NotFound } from "../../src/platform/errors.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import { renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { VerificationCard, VerificationForm, VerificationQueue, type PendingVerification } from "../../views/compliance/verification.tsx";
import { imageExtensions, sniffImageType } from "../orders/index.ts";
import { isResidentIdNumber, type HostVerification } from "./host-verification.ts";

const DOCUMENT_MAX_BYTES = 5 * 1024 * 1024;

export function verificationRoutes({ verification, displayNames }: { verification: HostVerification; displayNames: (ids: readonly string[]) => Promise<Map<string, string>> }) {
  const app = new Hono<AppEnv>();

  async function form(c: Context<AppEnv>, extra: { errors?: FieldErrors; values?: { realName?: string }; status?: 200 | 422 } = {}) {
    const v = viewContext(c);
    const status = await verification.status(c.var.user!.id);
    return renderPage(c, v.t("verification.title"), <VerificationForm v={v} status={status} errors={extra.errors} values={extra.values} />, extra.status ?? 200);
  }

  app.get("/account/verification", allow.roles("host"), (c) => form(c));

  app.post("/account/verification", allow.roles("host"), async (c) => {
    const body = await c.req.parseBody();
    const realName = String(body.realName ?? "").trim();
    const idNumber = String(body.idNumber ?? "").trim().toUpperCase();
    const errors: FieldErrors = {};
    if (!/\p{L}/u.test(realName) || [...realName].length > 100) errors.realName = "verification.invalid.name";
    if (!isResidentIdNumber(idNumber)) errors.idNumber = "verification.invalid.id";
    const file = body.document instanceof File && body.document.size > 0 ? new Uint8Array(await body.document.arrayBuffer()) : null;
    const type = file ? sniffImageType(file) : null;
    if (!file || !type || file.length > DOCUMENT_MAX_BYTES) errors.document = "verification.invalid.document";
    if (Object.keys(errors).length > 0) return form(c, { errors, values: { realName }, status: 422 });
    await verification.submit(c.var.user!.id, realName, idNumber, { bytes: file!, contentType: type!, extension: imageExtensions[type!] });
    return form(c);
  });

  async function pendingItems(): Promise<PendingVerification[]> {
    const pending = await verification.pending();
    const names = await displayNames(pending.map((item) => item.userId));
    return pending.map((item) => ({ ...item, name: names.get(item.userId) ?? item.userId }));
  }

  async function card(c: Context<AppEnv>, userId: string, extra: Partial<PendingVerification> & { notice?: string } = {}) {
    const item = (await pendingItems()).find((candidate) => candidate.userId === userId);
    if (!item) return c.html(<p class="notice notice--success">{viewContext(c).t("verification.decided")}</p>);
    return c.html(<VerificationCard v={viewContext(c)} item={{ ...item, ...extra }} notice={extra.notice} />);
  }

  app.get("/compliance/hosts", allow.roles("officer", "admin"), async (c) => {
    const v = viewContext(c);
    return renderPage(c, v.t("verification.queue"), <VerificationQueue v={v} items={await pendingItems()} />);
  });

  app.post("/compliance/hosts/:userId/reveal", allow.roles("officer", "admin"), async (c) => {
    const reason = String((await c.req.parseBody()).reason ?? "");
    const revealed = await verification.reveal({ type: "user", id: c.var.user!.id }, c.req.param("userId"), reason);
    return card(c, c.req.param("userId"), { revealed });
  });

  app.post("/compliance/hosts/:userId/review", allow.roles("officer", "admin"), async (c) => {
    const body = await c.req.parseBody();
    const decision = body.decision === "approved" ? "approved" : "rejected";
    try {
      await verification.review({ type: "user", id: c.var.user!.id }, c.req.param("userId"), decision, String(body.note ?? ""));
    } catch (error) {
      if (error instanceof DomainError && error.status === 400) return c.html(<p class="field__error" role="alert">{viewContext(c).t("verification.note")}</p>, 422);
      throw error;
    }
    return card(c, c.req.param("userId"));
  });

  app.get("/compliance/hosts/:userId/document", allow.roles("officer", "admin"), async (c) => {
    const document = await verification.document(c.req.param("userId"));
    if (!document) throw new NotFound("document_not_found");
    return c.body(document.bytes as Uint8Array<ArrayBuffer>, 200, { "Content-Type": document.contentType, "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox" });
  });

  return app;
}
