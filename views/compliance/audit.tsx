import type { AuditEntry, AuditPage as AuditResultsPage, ChainVerdict } from "../../modules/compliance/index.ts";
import type { MessageKey } from "../../src/platform/i18n.ts";
import { CsrfField, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

/** The search form's values as typed (times as datetime-local text in the shop's zone). */
export interface AuditFilters {
  actorType: string;
  actorId: string;
  action: string;
  subject: string;
  from: string;
  to: string;
}

export type AuditFilterErrors = Partial<Record<keyof AuditFilters, MessageKey>>;

export function ChainVerdictNotice({ v, verdict }: { v: ViewContext; verdict: ChainVerdict }) {
  return (
    <div id="chain-verdict">
      {verdict.intact ? (
        <Notice kind="success">{v.t("audit.intact", { count: verdict.entries })}</Notice>
      ) : (
        <Notice kind="error">
          {v.t("audit.broken", { seq: verdict.brokenAt, reason: verdict.reason })} <a href={`/compliance/audit/${verdict.brokenAt}`}>#{verdict.brokenAt}</a>
        </Notice>
      )}
    </div>
  );
}

function query(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...filters, ...extra })) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

function utcTime(date: Date): string {
  return date.toISOString().replace("T", " ").slice(0, 19);
}

export function AuditResults({ v, filters, page, errors = {} }: { v: ViewContext; filters: AuditFilters; page: AuditResultsPage; errors?: AuditFilterErrors }) {
  const problems = Object.values(errors);
  return (
    <div id="audit-results">
      {problems.length > 0 && <Notice kind="error">{problems.map((key) => v.t(key)).join(" ")}</Notice>}
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
            {page.entries.map((entry) => (
              <tr>
                <td>
                  <a href={`/compliance/audit/${entry.seq}`}>{entry.seq}</a>
                </td>
                <td>
                  <time datetime={entry.at.toISOString()} title={v.formatTime(entry.at)}>
                    {utcTime(entry.at)}
                  </time>
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
      {page.entries.length === 0 && <p>{v.t("audit.none")}</p>}
      {page.older !== null && (
        <p>
          <a
            href={`/compliance/audit${query(filters, { before: String(page.older) })}`}
            hx-get={`/compliance/audit${query(filters, { before: String(page.older) })}`}
            hx-target="#audit-results"
            hx-swap="outerHTML"
            rel="next"
          >
            {v.t("audit.older")}
          </a>
        </p>
      )}
    </div>
  );
}

function FilterInput({ v, name, label, value, type = "text", error }: { v: ViewContext; name: keyof AuditFilters; label: MessageKey; value: string; type?: string; error?: MessageKey }) {
  const id = `field-${name}`;
  return (
    <div class={error ? "field field--invalid" : "field"}>
      <label for={id}>{v.t(label)}</label>
      <input id={id} name={name} type={type} value={value} aria-invalid={error ? "true" : undefined} />
    </div>
  );
}

export function AuditPage({ v, filters, page, timeZone, errors = {} }: { v: ViewContext; filters: AuditFilters; page: AuditResultsPage; timeZone: string; errors?: AuditFilterErrors }) {
  return (
    <article>
      <h1>{v.t("audit.title")}</h1>
      <form method="post" action="/compliance/audit/verify" hx-post="/compliance/audit/verify" hx-target="#chain-verdict" hx-swap="outerHTML">
        <CsrfField v={v} />
        <button type="submit" class="button">{v.t("audit.verify")}</button>
      </form>
      <div id="chain-verdict"></div>
      <h2>{v.t("audit.search")}</h2>
      <form method="get" action="/compliance/audit" hx-get="/compliance/audit" hx-target="#audit-results" hx-swap="outerHTML" hx-push-url="true" id="audit-search">
        <div class="field">
          <label for="field-actorType">{v.t("audit.filter_actor_type")}</label>
          <select id="field-actorType" name="actorType">
            <option value="" selected={!filters.actorType}>{v.t("audit.filter_actor_any")}</option>
            {(["user", "device", "system"] as const).map((type) => (
              <option value={type} selected={filters.actorType === type}>
                {type}
              </option>
            ))}
          </select>
        </div>
        <FilterInput v={v} name="actorId" label="audit.filter_actor_id" value={filters.actorId} />
        <FilterInput v={v} name="action" label="audit.filter_action" value={filters.action} />
        <FilterInput v={v} name="subject" label="audit.filter_subject" value={filters.subject} />
        <FilterInput v={v} name="from" label="audit.filter_from" value={filters.from} type="datetime-local" error={errors.from} />
        <FilterInput v={v} name="to" label="audit.filter_to" value={filters.to} type="datetime-local" error={errors.to} />
        <p class="field__hint">{v.t("audit.filter_zone", { zone: timeZone })}</p>
        <button type="submit" class="button">{v.t("audit.filter_apply")}</button>
      </form>
      <h2>{v.t("audit.export")}</h2>
      <form method="get" action="/compliance/audit/export" id="audit-export">
        <div class="field">
          <label for="export-from">{v.t("audit.filter_from")}</label>
          <input id="export-from" name="from" type="datetime-local" value={filters.from} />
        </div>
        <div class="field">
          <label for="export-to">{v.t("audit.filter_to")}</label>
          <input id="export-to" name="to" type="datetime-local" value={filters.to} />
        </div>
        <p class="field__hint">{v.t("audit.export_hint")}</p>
        <button type="submit" class="button button--secondary">{v.t("audit.export")}</button>
      </form>
      <h2>{v.t("audit.results")}</h2>
      <AuditResults v={v} filters={filters} page={page} errors={errors} />
    </article>
  );
}

function Pretty({ value }: { value: unknown }) {
  return (
    <pre>
      <code>{JSON.stringify(value, null, 2)}</code>
    </pre>
  );
}

export function AuditEntryPage({ v, entry }: { v: ViewContext; entry: AuditEntry }) {
  const data = entry.data;
  const hasChange = "before" in data || "after" in data;
  return (
    <article>
      <p>
        <a href="/compliance/audit">{v.t("audit.back")}</a>
      </p>
      <h1>{v.t("audit.entry_title", { seq: entry.seq })}</h1>
      <dl>
        <dt>{v.t("audit.col_seq")}</dt>
        <dd>{entry.seq}</dd>
        <dt>{v.t("audit.col_time")}</dt>
        <dd>
          <time datetime={entry.at.toISOString()}>{utcTime(entry.at)}</time> ({v.formatTime(entry.at)})
        </dd>
        <dt>{v.t("audit.col_actor")}</dt>
        <dd>
          {entry.actor.type}:{entry.actor.id}
        </dd>
        <dt>{v.t("audit.col_action")}</dt>
        <dd>
          <code>{entry.action}</code>
        </dd>
        <dt>{v.t("audit.col_subject")}</dt>
        <dd>{entry.subject}</dd>
        <dt>{v.t("audit.col_prev_hash")}</dt>
        <dd>
          <code>{entry.prevHash}</code>
        </dd>
        <dt>{v.t("audit.col_hash")}</dt>
        <dd>
          <code>{entry.hash}</code>
        </dd>
      </dl>
      {hasChange && (
        <div class="audit-change">
          <section>
            <h2>{v.t("audit.before")}</h2>
            <Pretty value={data.before ?? null} />
          </section>
          <section>
            <h2>{v.t("audit.after")}</h2>
            <Pretty value={data.after ?? null} />
          </section>
        </div>
      )}
      <h2>{v.t("audit.data")}</h2>
      <Pretty value={data} />
    </article>
  );
}
