// Sign up, sign in, sign out, the account page, and the admin's role management.
import { Hono } from "hono";
import type { AppEnv } from "../platform/context.ts";
import { allow } from "../platform/access.ts";
import { NotFound } from "../platform/errors.ts";
import { parseForm } from "../platform/forms.ts";
import { endSessionCookie, startSessionCookie } from "../platform/session.ts";
import { redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { SignUpForm } from "../../views/accounts/sign-up.tsx";
import { SignInForm } from "../../views/accounts/sign-in.tsx";
import { AccountPage } from "../../views/accounts/account.tsx";
import { UserRolesForm, UsersPage } from "../../views/accounts/users.tsx";
import { EmailTaken, InvalidCredentials, LastAdmin, SIGN_IN_FAILURE_WINDOW_MS, TooManySignIns, type Accounts } from "./service.ts";
import { rolesForm, signInForm, signUpForm } from "./validation.ts";
import type { PersonalDataExport } from "../../modules/compliance/index.ts";

/** Only same-site paths: "/account", never "//evil.example" or "https://…". */
export function safeNextPath(next: unknown): string {
  return typeof next === "string" && /^\/(?![/\\])/.test(next) ? next : "/";
}

export function accountRoutes({ accounts, sessionSecret, personalData }: { accounts: Accounts; sessionSecret: string; personalData?: PersonalDataExport }) {
  const app = new Hono<AppEnv>();

  app.get("/signup", allow.public(), (c) => {
    if (c.var.user) return c.redirect("/account", 303);
    const v = viewContext(c);
    return renderPage(c, v.t("signup.title"), <SignUpForm v={v} />);
  });

  app.post("/signup", allow.public(), async (c) => {
    const v = viewContext(c);
    const body = await c.req.parseBody();
    const values = { email: String(body.email ?? ""), displayName: String(body.displayName ?? "") };
    const form = parseForm(signUpForm, body);
    if (!form.ok) return renderPage(c, v.t("signup.title"), <SignUpForm v={v} values={values} errors={form.errors} />, 422);
    try {
      const { token } = await accounts.signUp({ ...form.value, locale: c.var.locale });
      await startSessionCookie(c, sessionSecret, token);
    } catch (error) {
      if (!(error instanceof EmailTaken)) throw error;
      return renderPage(c, v.t("signup.title"), <SignUpForm v={v} values={values} errors={{ email: error.messageKey }} />, 422);
    }
    return redirectAfterPost(c, "/account");
  });

  app.get("/signin", allow.public(), (c) => {
    const next = safeNextPath(c.req.query("next"));
    if (c.var.user) return c.redirect(next, 303);
    const v = viewContext(c);
    return renderPage(c, v.t("signin.title"), <SignInForm v={v} next={next} />);
  });

  app.post("/signin", allow.public(), async (c) => {
    const v = viewContext(c);
    const body = await c.req.parseBody();
    const next = safeNextPath(body.next);
    const email = String(body.email ?? "");
    const form = parseForm(signInForm, body);
    if (!form.ok) return renderPage(c, v.t("signin.title"), <SignInForm v={v} email={email} next={next} errors={form.errors} />, 422);
    try {
      const { token } = await accounts.signIn(form.value.email, form.value.password);
      await startSessionCookie(c, sessionSecret, token);
    } catch (error) {
      if (error instanceof TooManySignIns) {
        const minutes = SIGN_IN_FAILURE_WINDOW_MS / 60_000;
        return renderPage(c, v.t("signin.title"), <SignInForm v={v} email={email} next={next} failure={v.t("signin.throttled", { minutes })} />, 429);
      }
      if (!(error instanceof InvalidCredentials)) throw error;
      return renderPage(c, v.t("signin.title"), <SignInForm v={v} email={email} next={next} failure={v.t("signin.failed")} />, 422);
    }
    return redirectAfterPost(c, next);
  });

  app.post("/signout", allow.signedIn(), async (c) => {
    if (c.var.sessionToken) await accounts.signOut(c.var.sessionToken);
    endSessionCookie(c);
    return redirectAfterPost(c, "/");
  });

  app.get("/account", allow.signedIn(), (c) => {
    const v = viewContext(c);
    return renderPage(c, v.t("account.title"), <AccountPage v={v} user={c.var.user!} canExport={personalData !== undefined} />);
  });

  // The shopper's own data as a JSON download (audited by the export itself).
  if (personalData) {
    app.get("/account/export", allow.signedIn(), async (c) => {
      const data = await personalData.export(c.var.user!.id);
      const date = data.exportedAt.slice(0, 10);
      c.header("content-disposition", `attachment; filename="broadcart-data-${date}.json"`);
      c.header("cache-control", "no-store");
      return c.body(JSON.stringify(data, null, 2), 200, { "content-type": "application/json; charset=utf-8" });
    });
  }

  app.get("/admin/users", allow.roles("admin"), async (c) => {
    const v = viewContext(c);
    return renderPage(c, v.t("users.title"), <UsersPage v={v} users={await accounts.listUsers()} />);
  });

  app.post("/admin/users/:id/roles", allow.roles("admin"), async (c) => {
    const v = viewContext(c);
    const userId = c.req.param("id");
    const body = await c.req.parseBody({ all: true });
    const submitted = body.roles === undefined ? [] : [body.roles].flat();
    // A refused change re-renders the user's form as it stands, with the reason, in place.
    const refuse = async (message: string, status: 409 | 422) => {
      const user = await accounts.findById(userId);
      if (!user) throw new NotFound("user_not_found");
      return renderPage(c, v.t("users.title"), <UserRolesForm v={v} user={user} error={message} />, status);
    };
    const form = parseForm(rolesForm, { roles: submitted });
    if (!form.ok) return refuse(v.t("validation.roles.invalid"), 422);
    const actor = { type: "user" as const, id: c.var.user!.id };
    try {
      const user = await accounts.setRoles(actor, userId, form.value.roles);
      return renderPage(c, v.t("users.title"), <UserRolesForm v={v} user={user} saved />);
    } catch (error) {
      if (error instanceof LastAdmin) return refuse(v.t(error.messageKey), 409);
      throw error;
    }
  });

  return app;
}
