// The SKUs of a product in the editor: each with its own form, its stock (adjust with a reason, and
// the history of movements) and a remove button; then the form that adds a SKU with its first stock.
import type { Sku, StockMovement } from "../../../modules/orders/index.ts";
import { catalogLimits } from "../../../modules/orders/index.ts";
import { CsrfField, Notice } from "../../components.tsx";
import type { ViewContext } from "../../view-context.ts";
import type { EditorData, EditorState } from "./editor-state.ts";
import { TextInput, type FormState } from "./fields.tsx";
import { SkuFields, type SkuValues } from "./product-fields.tsx";

const skuPath = (productId: string, skuId: string, rest = "") => `/merchant/products/${productId}/skus/${skuId}${rest}`;

export function skuValues(sku: Sku): SkuValues {
  // Prices are shown as the decimal text they are typed as: fen 12900 is "129.00".
  const fen = String(sku.price.amount).padStart(3, "0");
  return { optionZh: sku.optionZh, optionEn: sku.optionEn, code: sku.code, barcode: sku.barcode ?? "", price: `${fen.slice(0, -2)}.${fen.slice(-2)}` };
}

export function SkuForm({ v, data, sku, state = {} }: { v: ViewContext; data: EditorData; sku: Sku; state?: FormState }) {
  const action = skuPath(data.product.id, sku.id);
  const errors = state.errors ?? {};
  return (
    <form id={`sku-${sku.id}`} method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" novalidate>
      <h3>
        {v.pick(sku.optionZh, sku.optionEn)} <span class="muted">{sku.code}</span>
      </h3>
      {Object.keys(errors).length > 0 && <Notice kind="error">{v.t("validation.form")}</Notice>}
      {state.notice && <Notice kind={state.notice.kind}>{state.notice.text}</Notice>}
      <CsrfField v={v} />
      <SkuFields v={v} idPrefix={`sku-${sku.id}`} namePrefix="" currency={sku.price.currency} values={state.values ?? skuValues(sku)} errors={errors} withStock={false} />
      <button type="submit" class="button">{v.t("merchant.sku.save")}</button>
    </form>
  );
}

function movementReason(v: ViewContext, movement: StockMovement): string {
  if (movement.initial) return v.t("merchant.stock.initial");
  if (movement.reason === "adjustment") return movement.note ?? "";
  const reason = v.t(`merchant.stock.reason_${movement.reason}`);
  return movement.note ? `${reason} · ${movement.note}` : reason;
}

/** A person's name where known; the seed, devices and other system actors are "System". */
function actorName(v: ViewContext, data: EditorData, actorId: string): string {
  if (actorId === v.user?.id) return v.t("merchant.stock.by_you");
  return data.names.get(actorId) ?? (actorId.startsWith("usr_") ? actorId : v.t("merchant.stock.by_system"));
}

function StockHistory({ v, data, sku }: { v: ViewContext; data: EditorData; sku: Sku }) {
  const movements = data.history.get(sku.id) ?? [];
  const captionId = `stock-${sku.id}-history`;
  if (movements.length === 0) return <p class="muted">{v.t("merchant.stock.no_history")}</p>;
  return (
    <div class="table-scroll">
      <table aria-labelledby={captionId}>
        <caption id={captionId} class="table-caption">
          {v.t("merchant.stock.history")}
        </caption>
        <thead>
          <tr>
            <th scope="col">{v.t("merchant.stock.col_time")}</th>
            <th scope="col">{v.t("merchant.stock.col_change")}</th>
            <th scope="col">{v.t("merchant.stock.col_reason")}</th>
            <th scope="col">{v.t("merchant.stock.col_by")}</th>
          </tr>
        </thead>
        <tbody>
          {movements.map((movement) => (
            <tr data-movement-id={movement.id}>
              <td>
                <time datetime={movement.at.toISOString()}>{v.formatTime(movement.at)}</time>
              </td>
              <td>{movement.delta > 0 ? `+${movement.delta}` : String(movement.delta)}</td>
              <td>{movementReason(v, movement)}</td>
              <td>{actorName(v, data, movement.actorId)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function StockPanel({ v, data, sku, state = {} }: { v: ViewContext; data: EditorData; sku: Sku; state?: FormState }) {
  const action = skuPath(data.product.id, sku.id, "/stock");
  const errors = state.errors ?? {};
  const values = state.values ?? {};
  const id = `stock-${sku.id}`;
  return (
    <div id={id} class="stock-panel">
      <h4 class="stock-panel__title">{v.t("merchant.stock.section")}</h4>
      <p class={sku.stock > 0 ? "stock" : "sold-out"} data-testid="stock">
        {v.t("product.stock", { count: sku.stock })}
      </p>
      {state.notice && <Notice kind={state.notice.kind}>{state.notice.text}</Notice>}
      <form method="post" action={action} hx-post={action} hx-target={`#${id}`} hx-swap="outerHTML" novalidate>
        <CsrfField v={v} />
        <TextInput
          v={v}
          id={`${id}-delta`}
          name="delta"
          label={v.t("merchant.stock.delta")}
          hint={v.t("merchant.stock.delta_hint")}
          value={values.delta}
          error={errors.delta}
          errorParams={state.errorParams}
          inputmode="numeric"
          required
        />
        <TextInput
          v={v}
          id={`${id}-reason`}
          name="reason"
          label={v.t("merchant.stock.reason")}
          hint={v.t("merchant.stock.reason_hint")}
          value={values.reason}
          error={errors.reason}
          maxlength={catalogLimits.reason}
          required
        />
        <button type="submit" class="button">{v.t("merchant.stock.adjust")}</button>
      </form>
      <StockHistory v={v} data={data} sku={sku} />
    </div>
  );
}

function RemoveSkuForm({ v, data, sku }: { v: ViewContext; data: EditorData; sku: Sku }) {
  const action = skuPath(data.product.id, sku.id, "/remove");
  return (
    <form method="post" action={action} hx-post={action} hx-target="#skus" hx-swap="outerHTML" hx-confirm={v.t("merchant.sku.remove_confirm", { code: sku.code })}>
      <CsrfField v={v} />
      <button type="submit" class="link-button">{v.t("merchant.sku.remove", { code: sku.code })}</button>
    </form>
  );
}

function NewSkuForm({ v, data, state = {} }: { v: ViewContext; data: EditorData; state?: FormState }) {
  const action = `/merchant/products/${data.product.id}/skus`;
  const errors = state.errors ?? {};
  return (
    <form id="sku-new" method="post" action={action} hx-post={action} hx-target="#skus" hx-swap="outerHTML" class="card" novalidate>
      <h3>{v.t("merchant.sku.new_legend")}</h3>
      {Object.keys(errors).length > 0 && <Notice kind="error">{v.t("validation.form")}</Notice>}
      <CsrfField v={v} />
      <SkuFields v={v} idPrefix="sku-new" namePrefix="" currency={data.product.store.currency} values={state.values} errors={errors} withStock />
      <button type="submit" class="button">{v.t("merchant.sku.add")}</button>
    </form>
  );
}

export function SkuSection({ v, data, state = {} }: { v: ViewContext; data: EditorData; state?: EditorState }) {
  return (
    <section id="skus" class="section" aria-labelledby="skus-title">
      <h2 id="skus-title">{v.t("merchant.sku.section")}</h2>
      {state.skus?.notice && <Notice kind={state.skus.notice.kind}>{state.skus.notice.text}</Notice>}
      <ul class="card-list">
        {data.product.skus.map((sku) => (
          <li class="session-card" id={`sku-card-${sku.id}`}>
            <SkuForm v={v} data={data} sku={sku} state={state.sku?.id === sku.id ? state.sku : undefined} />
            <StockPanel v={v} data={data} sku={sku} state={state.stock?.id === sku.id ? state.stock : undefined} />
            <RemoveSkuForm v={v} data={data} sku={sku} />
          </li>
        ))}
      </ul>
      <NewSkuForm v={v} data={data} state={state.skus} />
    </section>
  );
}
