// A host's shows (each retitled from its card), and the form to schedule one: title, start time in
// the shop's zone, line-up.
import type { LiveSession } from "../../modules/live/index.ts";
import type { ProductSummary, Store } from "../../modules/orders/index.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import { CsrfField, Field, Notice } from "../components.tsx";
import type { MessageKey } from "../../src/platform/i18n.ts";
import type { ViewContext } from "../view-context.ts";
import { showTitle } from "./show-title.ts";

export interface ScheduleValues {
  title?: string;
  startsAt?: string;
  storeId?: string;
  productIds?: string[];
}

export function ScheduleForm(props: { v: ViewContext; stores: Store[]; products: ProductSummary[]; values: ScheduleValues; errors?: FieldErrors; timeZone: string }) {
  const { v, stores, products, values, errors = {}, timeZone } = props;
  const chosen = values.productIds ?? [];
  return (
    <form id="schedule" method="post" action="/studio" hx-post="/studio" hx-target="this" hx-swap="outerHTML" enctype="multipart/form-data" class="card form form--wide" novalidate>
      <h2>{v.t("live.schedule.title")}</h2>
      {Object.keys(errors).length > 0 && <Notice kind="error">{v.t("validation.form")}</Notice>}
      <CsrfField v={v} />
      <Field v={v} name="title" label="live.schedule.show_title" value={values.title} error={errors.title} required maxlength={80} />
      <div class={errors.startsAt ? "field field--invalid" : "field"}>
        <label for="field-startsAt">{v.t("live.schedule.starts", { zone: timeZone })}</label>
        <input id="field-startsAt" name="startsAt" type="datetime-local" value={values.startsAt} required />
        {errors.startsAt && <p class="field__error" role="alert">{v.t(errors.startsAt)}</p>}
      </div>
      <div class={errors.cover ? "field field--invalid" : "field"}>
        <label for="field-cover">{v.t("live.schedule.cover")}</label>
        <input id="field-cover" name="cover" type="file" accept="image/jpeg,image/png,image/webp" />
        {errors.cover && <p class="field__error" role="alert">{v.t(errors.cover)}</p>}
      </div>
      {stores.length > 1 && (
        <div class="field">
          <label for="field-storeId">{v.t("live.schedule.store")}</label>
          <select id="field-storeId" name="storeId" class="field__control">
            {stores.map((store) => (
              <option value={store.id} selected={store.id === values.storeId}>
                {v.pick(store.nameZh, store.nameEn)}
              </option>
            ))}
          </select>
        </div>
      )}
      {stores.length === 1 && <input type="hidden" name="storeId" value={stores[0]!.id} />}
      <fieldset>
        <legend>{v.t("live.line_up")}</legend>
        {products.map((product) => (
          <label class="check check--block">
            <input type="checkbox" name="productIds" value={product.id} checked={chosen.includes(product.id)} /> {v.pick(product.titleZh, product.titleEn)}
          </label>
        ))}
        {errors.productIds && (
          <p class="field__error" role="alert">
            {v.t(errors.productIds)}
          </p>
        )}
      </fieldset>
      <button type="submit" class="button button--primary">{v.t("live.schedule.submit")}</button>
    </form>
  );
}

/** The retitle form's state after a post: the value and error in place, or a notice. */
export interface RetitleState {
  sessionId: string;
  title?: string;
  error?: MessageKey;
  saved?: boolean;
}

/** One of the host's shows, with a form to give it a new title while it is not over. */
export function ShowCard({ v, session, state }: { v: ViewContext; session: LiveSession; state?: RetitleState | undefined }) {
  const mine = state?.sessionId === session.id ? state : undefined;
  const action = `/studio/${session.id}/title`;
  const fieldId = `title-${session.id}`;
  return (
    <li class="card" id={`show-${session.id}`}>
      <h2 class="card__title">{showTitle(v, session)}</h2>
      <p class="muted">
        {v.t(`live.status.${session.status}`)} · {v.formatTime(session.startedAt ?? session.scheduledAt)}
      </p>
      {session.titleRemoved && <Notice kind="error">{v.t("live.retitle.removed_notice")}</Notice>}
      {mine?.saved && <Notice kind="success">{v.t("live.retitle.saved")}</Notice>}
      {session.status !== "ended" && (
        <form method="post" action={action} hx-post={action} hx-target={`#show-${session.id}`} hx-swap="outerHTML" class={mine?.error ? "field field--invalid inline-form" : "inline-form"} novalidate>
          <CsrfField v={v} />
          <label for={fieldId}>{v.t("live.retitle.label")}</label>{" "}
          <input id={fieldId} name="title" value={mine?.title ?? session.title} maxlength={80} required aria-invalid={mine?.error ? "true" : undefined} />{" "}
          <button type="submit" class="button button--fit">{v.t("live.retitle.submit")}</button>
          {mine?.error && <p class="field__error" role="alert">{v.t(mine.error)}</p>}
        </form>
      )}
      <p>
        {session.status === "ended" ? <a href={`/live/${session.id}/summary`}>{v.t("live.figures")}</a> : <a href={`/studio/${session.id}`}>{v.t("live.studio")}</a>}
      </p>
    </li>
  );
}

export function MyShowsPage(props: { v: ViewContext; sessions: LiveSession[]; form: unknown; retitle?: RetitleState | undefined }) {
  const { v, sessions, retitle } = props;
  return (
    <article>
      <h1>{v.t("live.my_shows")}</h1>
      <ul class="card-list">
        {sessions.map((session) => (
          <ShowCard v={v} session={session} state={retitle} />
        ))}
      </ul>
      {props.form as never}
    </article>
  );
}
