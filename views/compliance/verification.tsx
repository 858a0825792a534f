// Hosts' real-name verification: the host's form and status, and the officers' review queue.
import type { FieldErrors } from "../../src/platform/forms.ts";
import { CsrfField, Field, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

export function VerificationForm({ v, status, note, errors = {}, values = {} }: { v: ViewContext; status: string; note?: string | null; errors?: FieldErrors; values?: { realName?: string } }) {
  return (
    <form id="verification" method="post" action="/account/verification" hx-post="/account/verification" hx-target="this" hx-swap="outerHTML" enctype="multipart/form-data" class="card form" novalidate>
      <h1>{v.t("verification.title")}</h1>
      <p>
        <strong>{v.t(`verification.status.${status as "none"}`)}</strong>
        {note && <span class="muted"> — {note}</span>}
      </p>
      <p class="muted small">{v.t("verification.intro")}</p>
      {status !== "approved" && status !== "pending" && (
        <>
          {Object.keys(errors).length > 0 && <Notice kind="error">{v.t("validation.form")}</Notice>}
          <CsrfField v={v} />
          <Field v={v} name="realName" label="verification.real_name" value={values.realName} error={errors.realName} autocomplete="name" required maxlength={100} />
          <Field v={v} name="idNumber" label="verification.id_number" error={errors.idNumber} autocomplete="off" required maxlength={18} />
          <div class={errors.document ? "field field--invalid" : "field"}>
            <label for="field-document">{v.t("verification.document")}</label>
            <input id="field-document" name="document" type="file" accept="image/jpeg,image/png,image/webp" required />
            {errors.document && <p class="field__error" role="alert">{v.t(errors.document)}</p>}
          </div>
          <button type="submit" class="button button--primary">{v.t("verification.submit")}</button>
        </>
      )}
    </form>
  );
}

export interface PendingVerification {
  userId: string;
  name: string;
  submittedAt: Date;
  hasDocument: boolean;
  idNumberMasked: string | null;
  revealed?: { realName: string | null; idNumber: string | null };
}

export function VerificationCard({ v, item, notice }: { v: ViewContext; item: PendingVerification; notice?: string }) {
  const base = `/compliance/hosts/${item.userId}`;
  return (
    <li class="card" id={`verify-${item.userId}`}>
      <h2 class="card__title">{item.name}</h2>
      {notice && <Notice kind="success">{notice}</Notice>}
      <p class="muted">{v.t("verification.submitted", { time: v.formatTime(item.submittedAt) })}</p>
      <p data-testid="id-number">{item.revealed ? `${item.revealed.realName ?? "—"} · ${item.revealed.idNumber ?? "—"}` : (item.idNumberMasked ?? "—")}</p>
      {item.hasDocument && (
        <p>
          <a href={`${base}/document`} target="_blank" rel="noopener">
            {v.t("verification.document_link")}
          </a>
        </p>
      )}
      {!item.revealed && (
        <form method="post" action={`${base}/reveal`} hx-post={`${base}/reveal`} hx-target={`#verify-${item.userId}`} hx-swap="outerHTML" class="form--inline">
          <CsrfField v={v} />
          <label>
            {v.t("verification.reveal_reason")} <input name="reason" required minlength={4} maxlength={200} />
          </label>
          <button type="submit" class="button">{v.t("verification.reveal")}</button>
        </form>
      )}
      <form method="post" action={`${base}/review`} hx-post={`${base}/review`} hx-target={`#verify-${item.userId}`} hx-swap="outerHTML">
        <CsrfField v={v} />
        <div class="field">
          <label for={`note-${item.userId}`}>{v.t("verification.note")}</label>
          <input id={`note-${item.userId}`} name="note" maxlength={500} />
        </div>
        <button type="submit" name="decision" value="approved" class="button button--primary button--fit">
          {v.t("verification.approve")}
        </button>{" "}
        <button type="submit" name="decision" value="rejected" class="button">
          {v.t("verification.reject")}
        </button>
      </form>
    </li>
  );
}

export function VerificationQueue({ v, items }: { v: ViewContext; items: PendingVerification[] }) {
  return (
    <article>
      <h1>{v.t("verification.queue")}</h1>
      {items.length === 0 && <p class="muted">{v.t("verification.none_waiting")}</p>}
      <ul class="card-list">
        {items.map((item) => (
          <VerificationCard v={v} item={item} />
        ))}
      </ul>
    </article>
  );
}
