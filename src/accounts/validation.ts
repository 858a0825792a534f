// Input rules for accounts. Messages are i18n keys; forms translate them in place.
import * as v from "valibot";
import { roles } from "../platform/roles.ts";

export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;
export const DISPLAY_NAME_MAX = 40;

const email = v.pipe(
  v.optional(v.string(), ""),
  v.trim(),
  v.nonEmpty("validation.email.required"),
  v.maxLength(EMAIL_MAX, "validation.email.too_long"),
  v.email("validation.email.invalid"),
  v.toLowerCase(),
);

export const signUpForm = v.object({
  email,
  displayName: v.pipe(
    v.optional(v.string(), ""),
    v.trim(),
    v.nonEmpty("validation.display_name.required"),
    v.maxLength(DISPLAY_NAME_MAX, "validation.display_name.too_long"),
  ),
  password: v.pipe(
    v.optional(v.string(), ""),
    v.nonEmpty("validation.password.required"),
    v.minLength(PASSWORD_MIN, "validation.password.too_short"),
    v.maxLength(PASSWORD_MAX, "validation.password.too_long"),
  ),
});

export const signInForm = v.object({
  email,
  password: v.pipe(v.optional(v.string(), ""), v.nonEmpty("validation.password.required"), v.maxLength(PASSWORD_MAX, "validation.password.too_long")),
  next: v.optional(v.string()),
});

export const rolesForm = v.object({
  roles: v.array(v.picklist(roles, "validation.roles.invalid")),
});

export type SignUpInput = v.InferOutput<typeof signUpForm>;
