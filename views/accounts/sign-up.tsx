import type { FieldErrors } from "../../src/platform/forms.ts";
import { DISPLAY_NAME_MAX, EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN } from "../../src/accounts/validation.ts";
import { CsrfField, Field, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

const limits = { min: PASSWORD_MIN };

export function SignUpForm({ v, values = {}, errors = {} }: { v: ViewContext; values?: { email?: string; displayName?: string }; errors?: FieldErrors }) {
  const invalid = Object.keys(errors).length > 0;
  return (
    <form id="sign-up" method="post" action="/signup" hx-post="/signup" hx-target="this" hx-swap="outerHTML" class="card form" novalidate>
      <h1>{v.t("signup.title")}</h1>
      {invalid && <Notice kind="error">{v.t("validation.form")}</Notice>}
      <CsrfField v={v} />
      <Field v={v} name="email" type="email" label="form.email" value={values.email} error={errors.email} errorParams={{ max: EMAIL_MAX }} autocomplete="email" required />
      <Field
        v={v}
        name="displayName"
        label="form.display_name"
        value={values.displayName}
        error={errors.displayName}
        errorParams={{ max: DISPLAY_NAME_MAX }}
        autocomplete="nickname"
        required
      />
      <Field
        v={v}
        name="password"
        type="password"
        label="form.password"
        error={errors.password}
        errorParams={{ min: PASSWORD_MIN, max: PASSWORD_MAX }}
        hint={v.t("form.password_hint", limits)}
        autocomplete="new-password"
        required
      />
      <button type="submit" class="button button--primary">{v.t("signup.submit")}</button>
      <p><a href="/signin">{v.t("signup.have_account")}</a></p>
    </form>
  );
}
