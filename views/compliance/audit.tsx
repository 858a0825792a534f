import type { AuditEntry, ChainVerdict } from "../../modules/compliance/index.ts";
import { CsrfField, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

export function ChainVerdictNotice({ v, verdict }: { v: ViewContext; verdict: ChainVerdict }) {
  return (
    <div id="chain-verdict">
      {verdict.intact ? (
        <Notice kind="success">{v.t("audit.intact", { count: verdict.entries })}</Notice>
      ) : (
        <Notice kind="error">{v.t("audit.broken", { seq: verdict.brokenAt, reason: verdict.reason })}</Notice>
      )}
    </div>
  );
}

export function AuditPage({ v, entries }: { v: ViewContext; entries: AuditEntry[] }) {
  return (
    <article>
      <h1>{v.t("audit.title")}</h1>
      <form method="post" action="/compliance/audit/verify" hx-post="/compliance/audit/verify" hx-target="#chain-verdict" hx-swap="outerHTML">
        <CsrfField v={v} />
        <button type="submit" class="button">{v.t("audit.verify")}</button>
      </form>
      <div id="chain-verdict"></div>
      <h2>{v.t("audit.recent")}</h2>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{v.t("audit.col_seq")}</th>
              <th scope="col">{v.t("audit.col_time")}</th>
              <th scope="col">{v.t("audit.col_actor")}</th>
              <th scope="col">{v.t("audit.col_action")}</th>
              <th scope="col">{v.t("audit.col_subject")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr>
                <td>{entry.seq}</td>
                <td>
                  <time datetime={entry.at.toISOString()}>{entry.at.toISOString().replace("T", " ").slice(0, 19)}</time>
                </td>
                <td>
                  {entry.actor.type}:{entry.actor.id}
                </td>
                <td>
                  <code>{entry.action}</code>
                </td>
                <td>{entry.subject}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </article>
  );
}
