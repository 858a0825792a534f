import type { CurrentUser } from "../../src/platform/context.ts";
import type { ViewContext } from "../view-context.ts";

export function AccountPage({ v, user, canExport = false }: { v: ViewContext; user: CurrentUser; canExport?: boolean }) {
  return (
    <article class="card">
      <h1>{v.t("account.title")}</h1>
      <dl class="facts">
        <dt>{v.t("account.name")}</dt>
        <dd>{user.displayName}</dd>
        <dt>{v.t("account.email")}</dt>
        <dd>{user.email}</dd>
        <dt>{v.t("account.roles")}</dt>
        <dd>{user.roles.map((role) => v.t(`role.${role}`)).join(" · ")}</dd>
        <dt>{v.t("account.member_since")}</dt>
        <dd>
          <time datetime={user.createdAt.toISOString()}>{v.formatTime(user.createdAt)}</time>
        </dd>
      </dl>
      {canExport && (
        <section>
          <h2>{v.t("privacy.export.title")}</h2>
          <p>{v.t("privacy.export.hint")}</p>
          <a class="button" href="/account/export" download>
            {v.t("privacy.export.button")}
          </a>{" "}
          <a href="/account/privacy">{v.t("privacy.erasure.request")}</a>
        </section>
      )}
    </article>
  );
}
