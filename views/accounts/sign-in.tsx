import type { FieldErrors } from "../../src/platform/forms.ts";
import { EMAIL_MAX, PASSWORD_MAX } from "../../src/accounts/validation.ts";
import { CsrfField, Field, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

interface Props {
  v: ViewContext;
  email?: string;
  next?: string;
  errors?: FieldErrors;
  /** Why the last attempt did not sign in, shown above the fields. */
  failure?: string;
}

export function SignInForm({ v, email, next, errors = {}, failure }: Props) {
  return (
    <form id="sign-in" method="post" action="/signin" hx-post="/signin" hx-target="this" hx-swap="outerHTML" class="card form" novalidate>
      <h1>{v.t("signin.title")}</h1>
      {failure && <Notice kind="error">{failure}</Notice>}
      <CsrfField v={v} />
      {next && <input type="hidden" name="next" value={next} />}
      <Field v={v} name="email" type="email" label="form.email" value={email} error={errors.email} errorParams={{ max: EMAIL_MAX }} autocomplete="email" required />
      <Field v={v} name="password" type="password" label="form.password" error={errors.password} errorParams={{ max: PASSWORD_MAX }} autocomplete="current-password" required />
      <button type="submit" class="button button--primary">{v.t("signin.submit")}</button>
      <p><a href="/signup">{v.t("signin.no_account")}</a></p>
    </form>
  );
}
