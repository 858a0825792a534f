// Parses a form body with a valibot schema into either a value or per-field message keys.
import * as v from "valibot";
import type { MessageKey } from "./i18n.ts";

export type FieldErrors = Partial<Record<string, MessageKey>>;
export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export function parseForm<S extends v.GenericSchema>(schema: S, input: unknown): FormResult<v.InferOutput<S>> {
  const result = v.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.output };
  const errors: FieldErrors = {};
  for (const issue of result.issues) {
    const field = String(issue.path?.[0]?.key ?? "_form");
    errors[field] ??= issue.message as MessageKey;
  }
  return { ok: false, errors };
}

