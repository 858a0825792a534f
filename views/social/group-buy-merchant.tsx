// The merchant's group buys page: a new offer's form, the store's offers with how their groups went,
// and groups started, filled and failed per day.
import type { Child } from "hono/jsx";
import type { GroupDay, GroupOfferRecord } from "../../modules/social/index.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import type { MessageKey } from "../../src/platform/i18n.ts";
import { CsrfField, Field, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

export interface SkuChoice {
  /** "productId:skuId" */
  value: string;
  label: string;
}

export interface OfferFormValues {
  sku?: string;
  groupPrice?: string;
  groupSize?: string;
  windowMinutes?: string;
  stock?: string;
  startsAt?: string;
  endsAt?: string;
  liveSessionId?: string;
}

const percent = (rate: number | null) => (rate === null ? "—" : `${Math.round(rate * 100)}%`);

function Select({ v, name, label, choices, value, error, empty }: { v: ViewContext; name: string; label: MessageKey; choices: SkuChoice[]; value?: string; error?: MessageKey; empty: MessageKey }) {
  const id = `field-${name}`;
  return (
    <div class={error ? "field field--invalid" : "field"}>
      <label for={id}>{v.t(label)}</label>
      <select id={id} name={name} aria-invalid={error ? "true" : undefined}>
        <option value="">{v.t(empty)}</option>
        {choices.map((choice) => (
          <option value={choice.value} selected={choice.value === value}>
            {choice.label}
          </option>
        ))}
      </select>
      {error && (
        <p class="field__error" role="alert">
          {v.t(error)}
        </p>
      )}
    </div>
  );
}

export function OfferForm(props: { v: ViewContext; skus: SkuChoice[]; sessions: SkuChoice[]; values: OfferFormValues; errors?: FieldErrors; problem?: string }) {
  const { v, skus, sessions, values, errors = {}, problem } = props;
  return (
    <form id="group-offer-form" method="post" action="/merchant/group-buys" class="card form" novalidate>
      <h2>{v.t("merchant.groups.new")}</h2>
      {problem && <Notice kind="error">{problem}</Notice>}
      <CsrfField v={v} />
      <Select v={v} name="sku" label="merchant.groups.product" choices={skus} value={values.sku} error={errors.sku ?? errors.skuId} empty="merchant.groups.choose" />
      <Field v={v} name="groupPrice" label="merchant.groups.price" value={values.groupPrice} error={errors.groupPrice} required />
      <Field v={v} name="groupSize" type="number" label="merchant.groups.size" value={values.groupSize} error={errors.groupSize} required />
      <Field v={v} name="windowMinutes" type="number" label="merchant.groups.window" value={values.windowMinutes} error={errors.windowMinutes} required />
      <Field v={v} name="stock" type="number" label="merchant.groups.stock" value={values.stock} error={errors.stock} required />
      <Field v={v} name="startsAt" type="datetime-local" label="merchant.groups.starts" value={values.startsAt} error={errors.startsAt} required />
      <Field v={v} name="endsAt" type="datetime-local" label="merchant.groups.ends" value={values.endsAt} error={errors.endsAt} required />
      <Select v={v} name="liveSessionId" label="merchant.groups.session" choices={sessions} value={values.liveSessionId} error={errors.liveSessionId} empty="merchant.groups.no_session" />
      <button type="submit" class="button button--primary">
        {v.t("merchant.groups.create")}
      </button>
    </form>
  );
}

function OffersTable({ v, offers }: { v: ViewContext; offers: GroupOfferRecord[] }) {
  if (offers.length === 0) return <p class="muted">{v.t("merchant.groups.none")}</p>;
  return (
    <table class="table" data-testid="group-offers">
      <thead>
        <tr>
          <th>{v.t("merchant.groups.col.offer")}</th>
          <th>{v.t("merchant.groups.col.terms")}</th>
          <th>{v.t("merchant.groups.col.units")}</th>
          <th>{v.t("merchant.groups.col.groups")}</th>
          <th>{v.t("merchant.groups.col.success")}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {offers.map((offer) => {
          const closed = offer.groupsFilled + offer.groupsFailed;
          return (
            <tr>
              <td>
                <a href={`/groups/offers/${offer.id}`}>{v.pick(offer.titleZh, offer.titleEn)}</a>
                {!offer.active && <span class="muted"> · {v.t("merchant.groups.inactive")}</span>}
              </td>
              <td>{v.t("merchant.groups.terms", { price: v.formatMoney({ amount: offer.groupPriceFen, currency: offer.currency }), size: offer.groupSize, minutes: offer.windowMinutes })}</td>
              <td>{offer.stockLeft}</td>
              <td>
                {offer.groupsOpen} / {offer.groupsFilled} / {offer.groupsFailed}
              </td>
              <td>{percent(closed > 0 ? offer.groupsFilled / closed : null)}</td>
              <td>
                {offer.active && (
                  <form method="post" action={`/merchant/group-buys/${offer.id}/deactivate`} class="inline-form">
                    <CsrfField v={v} />
                    <button type="submit" class="button">
                      {v.t("merchant.groups.deactivate")}
                    </button>
                  </form>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function FiguresTable({ v, days }: { v: ViewContext; days: GroupDay[] }) {
  if (days.length === 0) return <p class="muted">{v.t("merchant.groups.no_figures")}</p>;
  return (
    <table class="table" data-testid="group-figures">
      <thead>
        <tr>
          <th>{v.t("merchant.groups.col.day")}</th>
          <th>{v.t("merchant.groups.col.started")}</th>
          <th>{v.t("merchant.groups.col.filled")}</th>
          <th>{v.t("merchant.groups.col.failed")}</th>
          <th>{v.t("merchant.groups.col.success")}</th>
        </tr>
      </thead>
      <tbody>
        {days.map((day) => (
          <tr>
            <td>{day.day}</td>
            <td>{day.started}</td>
            <td>{day.filled}</td>
            <td>{day.failed}</td>
            <td>{percent(day.successRate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MerchantGroupBuysPage(props: { v: ViewContext; storeName: string; form: Child; offers: GroupOfferRecord[]; figures: GroupDay[]; created?: boolean }) {
  const { v, storeName, form, offers, figures, created } = props;
  return (
    <div class="stack">
      <h1>
        {v.t("merchant.groups.title")} · {storeName}
      </h1>
      {created && <Notice kind="success">{v.t("merchant.groups.created")}</Notice>}
      {form}
      <h2>{v.t("merchant.groups.offers")}</h2>
      <OffersTable v={v} offers={offers} />
      <h2>{v.t("merchant.groups.figures")}</h2>
      <FiguresTable v={v} days={figures} />
    </div>
  );
}
