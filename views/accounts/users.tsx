import type { CurrentUser } from "../../src/platform/context.ts";
import { roles } from "../../src/platform/roles.ts";
import { CsrfField, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

export function UserRolesForm({ v, user, saved = false, error }: { v: ViewContext; user: CurrentUser; saved?: boolean; error?: string }) {
  const formId = `roles-${user.id}`;
  return (
    <form id={formId} method="post" action={`/admin/users/${user.id}/roles`} hx-post={`/admin/users/${user.id}/roles`} hx-target="this" hx-swap="outerHTML" class="roles-form">
      <CsrfField v={v} />
      <fieldset>
        <legend>
          {user.displayName} <span class="muted">{user.email}</span>
        </legend>
        {roles.map((role) => (
          <label class="check">
            <input type="checkbox" name="roles" value={role} checked={user.roles.includes(role)} /> {v.t(`role.${role}`)}
          </label>
        ))}
        <button type="submit" class="button">{v.t("users.save")}</button>
      </fieldset>
      {saved && <Notice kind="success">{v.t("users.saved", { name: user.displayName })}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
    </form>
  );
}

export function UsersPage({ v, users }: { v: ViewContext; users: CurrentUser[] }) {
  return (
    <article>
      <h1>{v.t("users.title")}</h1>
      {users.map((user) => (
        <UserRolesForm v={v} user={user} />
      ))}
    </article>
  );
}
