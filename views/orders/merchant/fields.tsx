// Form fields of the merchant pages. Unlike views/components.tsx's Field, each takes its own id,
// because one page holds many forms with the same field names (one per SKU).
import type { FieldErrors } from "../../../src/platform/forms.ts";
import type { MessageKey } from "../../../src/platform/i18n.ts";
import { catalogLimits } from "../../../modules/orders/index.ts";
import type { ViewContext } from "../../view-context.ts";

/** The numbers each message names ({max}, {mb}); `extra` adds per-answer ones such as {count}. */
const messageParams: Partial<Record<MessageKey, Record<string, number>>> = {
  "validation.product.title_too_long": { max: catalogLimits.title },
  "validation.product.description_too_long": { max: catalogLimits.description },
  "validation.product.too_many_skus": { max: catalogLimits.skusPerProduct },
  "validation.sku.option_too_long": { max: catalogLimits.option },
  "validation.sku.code_invalid": { max: catalogLimits.skuCode },
  "validation.sku.barcode_invalid": { max: catalogLimits.barcode },
  "validation.sku.stock_invalid": { max: catalogLimits.stock },
  "validation.stock.delta_invalid": { max: catalogLimits.stock },
  "validation.stock.reason_too_long": { max: catalogLimits.reason },
  "validation.image.too_large": { mb: catalogLimits.imageBytes / (1024 * 1024) },
  "validation.image.too_many": { max: catalogLimits.imagesPerProduct },
};

export function message(v: ViewContext, key: MessageKey, extra: Record<string, string | number> = {}): string {
  return v.t(key, { ...messageParams[key], ...extra });
}

interface InputProps {
  v: ViewContext;
  id: string;
  name: string;
  label: string;
  value?: string | undefined;
  error?: MessageKey | undefined;
  errorParams?: Record<string, string | number> | undefined;
  hint?: string | undefined;
  type?: string;
  required?: boolean;
  maxlength?: number;
  inputmode?: "text" | "decimal" | "numeric";
  autocomplete?: string;
  pattern?: string;
}

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
}

function Feedback({ v, id, hint, error, errorParams }: { v: ViewContext; id: string; hint?: string | undefined; error?: MessageKey | undefined; errorParams?: Record<string, string | number> | undefined }) {
  return (
    <>
      {hint && <p class="field__hint" id={`${id}-hint`}>{hint}</p>}
      {error && (
        <p class="field__error" id={`${id}-error`} role="alert">
          {message(v, error, errorParams)}
        </p>
      )}
    </>
  );
}

export function TextInput({ v, id, name, label, value, error, errorParams, hint, type = "text", required, maxlength, inputmode, autocomplete = "off", pattern }: InputProps) {
  return (
    <div class={error ? "field field--invalid" : "field"}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        required={required}
        maxlength={maxlength}
        inputmode={inputmode}
        autocomplete={autocomplete}
        pattern={pattern}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
      <Feedback v={v} id={id} hint={hint} error={error} errorParams={errorParams} />
    </div>
  );
}

export function TextArea({ v, id, name, label, value, error, hint, maxlength }: Omit<InputProps, "type" | "inputmode" | "required">) {
  return (
    <div class={error ? "field field--invalid" : "field"}>
      <label for={id}>{label}</label>
      <textarea id={id} name={name} rows={4} maxlength={maxlength} class="field__control" aria-invalid={error ? "true" : undefined} aria-describedby={describedBy(id, hint, error)}>
        {value ?? ""}
      </textarea>
      <Feedback v={v} id={id} hint={hint} error={error} />
    </div>
  );
}

export function Select({ v, id, name, label, options, value, error }: { v: ViewContext; id: string; name: string; label: string; options: { value: string; label: string }[]; value?: string | undefined; error?: MessageKey | undefined }) {
  return (
    <div class={error ? "field field--invalid" : "field"}>
      <label for={id}>{label}</label>
      <select id={id} name={name} class="field__control" aria-invalid={error ? "true" : undefined} aria-describedby={describedBy(id, undefined, error)}>
        {options.map((option) => (
          <option value={option.value} selected={option.value === value}>
            {option.label}
          </option>
        ))}
      </select>
      <Feedback v={v} id={id} error={error} />
    </div>
  );
}

/** The values a form was submitted with, and what was wrong with them, to show it again in place. */
export interface FormState {
  values?: Record<string, string>;
  errors?: FieldErrors;
  errorParams?: Record<string, string | number>;
  notice?: { kind: "success" | "error" | "info"; text: string };
}
