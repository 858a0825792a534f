// The officers' moderation page: the review queue with matched terms highlighted, decide buttons
// with a note, and the officers' additions to the term list.
import type { FlagStatus, HighlightSegment, ModerationFlag, OfficerTerm } from "../../modules/compliance/moderation.ts";
import type { MessageKey } from "../../src/platform/i18n.ts";
import { CsrfField, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

const STATUSES: readonly FlagStatus[] = ["open", "dismissed", "removed", "warned"];

/** Text with its banned terms in <mark>: used on the queue and on the merchant's product page. */
export function Highlighted({ segments }: { segments: readonly HighlightSegment[] }) {
  return (
    <span class="moderation-text">
      {segments.map((segment) => (segment.term ? <mark title={segment.term}>{segment.text}</mark> : segment.text))}
    </span>
  );
}

function utcTime(date: Date): string {
  return date.toISOString().replace("T", " ").slice(0, 16);
}

function FlagRow({ v, flag, highlight, authorName }: { v: ViewContext; flag: ModerationFlag; highlight: (text: string) => HighlightSegment[]; authorName: string | null }) {
  return (
    <tr id={`flag-${flag.id}`}>
      <td>
        <div>
          {v.t(`moderation.kind_${flag.kind}` as MessageKey)} · <code>{flag.subjectId}</code> · {flag.field}
          {authorName !== null && <> · <span class="moderation-author">{v.t("moderation.author", { name: authorName })}</span></>}
        </div>
        <Highlighted segments={highlight(flag.text)} />
      </td>
      <td>{[...new Set(flag.terms.map((term) => term.term))].join(", ")}</td>
      <td>{utcTime(flag.createdAt)}</td>
      <td>
        {flag.status === "open" ? (
          <form method="post" action={`/compliance/moderation/flags/${flag.id}/decide`}>
            <CsrfField v={v} />
            <label>
              {v.t("moderation.note")} <input name="note" maxlength={1000} />
            </label>
            <button name="decision" value="dismissed">{v.t("moderation.dismiss")}</button>
            <button name="decision" value="removed">{v.t("moderation.remove")}</button>
            <button name="decision" value="warned">{v.t("moderation.warn")}</button>
          </form>
        ) : (
          <span>
            {v.t(`moderation.status_${flag.status}` as MessageKey)}
            {flag.note ? ` — ${flag.note}` : ""}
          </span>
        )}
      </td>
    </tr>
  );
}

export interface ModerationPageProps {
  v: ViewContext;
  status: FlagStatus;
  flags: ModerationFlag[];
  terms: OfficerTerm[];
  highlight: (text: string) => HighlightSegment[];
  /** Display names of the flags' authors. */
  authors: Map<string, string>;
  notice?: { kind: "error" | "success" | "info"; key: MessageKey } | undefined;
}

export function ModerationPage({ v, status, flags, terms, highlight, authors, notice }: ModerationPageProps) {
  return (
    <div id="moderation">
      {notice && <Notice kind={notice.kind}>{v.t(notice.key)}</Notice>}
      <section aria-labelledby="moderation-queue">
        <h2 id="moderation-queue">{v.t("moderation.queue")}</h2>
        <nav aria-label={v.t("moderation.show_status")}>
          {STATUSES.map((s) => (
            <a href={`/compliance/moderation?status=${s}`} aria-current={s === status ? "page" : undefined}>
              {v.t(`moderation.status_${s}` as MessageKey)}
            </a>
          )).flatMap((link, i) => (i ? [" · ", link] : [link]))}
        </nav>
        {flags.length === 0 ? (
          <p>{v.t("moderation.queue_empty")}</p>
        ) : (
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{v.t("moderation.col_content")}</th>
                  <th scope="col">{v.t("moderation.col_terms")}</th>
                  <th scope="col">{v.t("moderation.col_flagged")}</th>
                  <th scope="col">{v.t("moderation.col_decision")}</th>
                </tr>
              </thead>
              <tbody>
                {flags.map((flag) => (
                  <FlagRow v={v} flag={flag} highlight={highlight} authorName={flag.authorId ? (authors.get(flag.authorId) ?? flag.authorId) : null} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="moderation-terms">
        <h2 id="moderation-terms">{v.t("moderation.terms")}</h2>
        <p>{v.t("moderation.terms_hint")}</p>
        <form method="post" action="/compliance/moderation/terms">
          <CsrfField v={v} />
          <label>
            {v.t("moderation.term")} <input name="term" required maxlength={100} />
          </label>
          <label>
            {v.t("moderation.term_kind")}{" "}
            <select name="kind">
              <option value="banned">{v.t("moderation.term_banned")}</option>
              <option value="allowed">{v.t("moderation.term_allowed")}</option>
            </select>
          </label>
          <label>
            {v.t("moderation.term_category")}{" "}
            <select name="category">
              <option value="absolute">{v.t("moderation.category_absolute")}</option>
              <option value="medical">{v.t("moderation.category_medical")}</option>
              <option value="guarantee">{v.t("moderation.category_guarantee")}</option>
            </select>
          </label>
          <button>{v.t("moderation.term_add")}</button>
        </form>
        {terms.length === 0 ? (
          <p>{v.t("moderation.terms_empty")}</p>
        ) : (
          <ul class="moderation-terms">
            {terms.map((term) => (
              <li>
                <strong>{term.term}</strong> · {v.t(term.kind === "banned" ? "moderation.term_banned" : "moderation.term_allowed")}
                {term.category ? ` · ${v.t(`moderation.category_${term.category}` as MessageKey)}` : ""}
                <form method="post" action="/compliance/moderation/terms/remove" style="display:inline">
                  <CsrfField v={v} />
                  <input type="hidden" name="term" value={term.term} />
                  <button>{v.t("moderation.term_remove")}</button>
                </form>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
