// Small building blocks shared by pages: form fields with their errors in place, the CSRF field.
import type { Child } from "hono/jsx";
import type { MessageKey } from "../src/platform/i18n.ts";
import type { ViewContext } from "./view-context.ts";

export function CsrfField({ v }: { v: ViewContext }) {
  return <input type="hidden" name="_csrf" value={v.csrfToken} />;
}

interface FieldProps {
  v: ViewContext;
  name: string;
  label: MessageKey;
  type?: string;
  value?: string;
  error?: MessageKey | undefined;
  errorParams?: Record<string, string | number>;
  hint?: string;
  autocomplete?: string;
  required?: boolean;
  maxlength?: number;
}

export function Field({ v, name, label, type = "text", value, error, errorParams, hint, autocomplete, required, maxlength }: FieldProps) {
  const id = `field-${name}`;
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div class={error ? "field field--invalid" : "field"}>
      <label for={id}>{v.t(label)}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        autocomplete={autocomplete}
        required={required}
        maxlength={maxlength}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={described}
      />
      {hint && <p class="field__hint" id={`${id}-hint`}>{hint}</p>}
      {error && (
        <p class="field__error" id={`${id}-error`} role="alert">
          {v.t(error, errorParams)}
        </p>
      )}
    </div>
  );
}

export function Notice({ kind, children }: { kind: "error" | "success" | "info"; children: Child }) {
  return (
    <div class={`notice notice--${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export function Section({ title, id, children }: { title: string; id: string; children: Child }) {
  return (
    <section aria-labelledby={id} class="section">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
