// The product editor: status (publish/unpublish), details, SKUs with their stock, photos.
// Every part is its own form and HTMX target; without JavaScript each posts and comes back here.
import { CsrfField, Notice } from "../../components.tsx";
import type { ViewContext } from "../../view-context.ts";
import type { MessageKey } from "../../../src/platform/i18n.ts";
import type { EditorData, EditorState, FlaggedCopy } from "./editor-state.ts";
import type { FormState } from "./fields.tsx";
import { ImageSection } from "./image-section.tsx";
import { StatusBadge } from "./product-list.tsx";
import { DetailsFields } from "./product-fields.tsx";
import { SkuSection } from "./sku-section.tsx";

export function productPath(productId: string, rest = ""): string {
  return `/merchant/products/${productId}${rest}`;
}

export function StatusPanel({ v, data, state = {} }: { v: ViewContext; data: EditorData; state?: FormState }) {
  const { product } = data;
  const published = product.status === "published";
  const action = productPath(product.id, published ? "/unpublish" : "/publish");
  return (
    <section id="product-status" class="card section" aria-labelledby="product-status-title">
      <h2 id="product-status-title">
        {v.t("merchant.product.status")} <StatusBadge v={v} status={product.status} />
      </h2>
      <p class="muted">{published ? v.t("merchant.product.published_notice") : v.t("merchant.product.draft_notice")}</p>
      <p>{v.t("merchant.product.total_stock", { count: product.stock })}</p>
      {state.notice && <Notice kind={state.notice.kind}>{state.notice.text}</Notice>}
      <form method="post" action={action} hx-post={action} hx-target="#product-status" hx-swap="outerHTML" class="inline-form">
        <CsrfField v={v} />
        <button type="submit" class={published ? "button" : "button button--primary button--fit"}>
          {published ? v.t("merchant.product.unpublish") : v.t("merchant.product.publish")}
        </button>
      </form>{" "}
      {published && <a href={`/products/${product.id}`}>{v.t("merchant.product.view_public")}</a>}
    </section>
  );
}

const copyFieldLabels: Record<string, MessageKey> = {
  titleZh: "merchant.product.title_zh",
  titleEn: "merchant.product.title_en",
  descriptionZh: "merchant.product.description_zh",
  descriptionEn: "merchant.product.description_en",
};

/** The copy compliance flagged, each field's text with the words advertising rules ban in <mark>. */
export function FlaggedCopyNotice({ v, flagged }: { v: ViewContext; flagged: readonly FlaggedCopy[] }) {
  if (flagged.length === 0) return null;
  return (
    <div class="notice notice--error" role="alert" id="flagged-copy">
      <p>{v.t("moderation.copy_flagged")}</p>
      <dl>
        {flagged.map((copy) => (
          <>
            <dt>{copyFieldLabels[copy.field] ? v.t(copyFieldLabels[copy.field]!) : copy.field}</dt>
            <dd class="moderation-text">{copy.segments.map((segment) => (segment.term ? <mark title={segment.term}>{segment.text}</mark> : segment.text))}</dd>
          </>
        ))}
      </dl>
    </div>
  );
}

export function DetailsForm({ v, data, state = {} }: { v: ViewContext; data: EditorData; state?: FormState }) {
  const { product } = data;
  const values = state.values ?? product;
  const errors = state.errors ?? {};
  const action = productPath(product.id);
  return (
    <form id="product-details" method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" class="card section" novalidate>
      <h2>{v.t("merchant.product.details")}</h2>
      {Object.keys(errors).length > 0 && <Notice kind="error">{v.t("validation.form")}</Notice>}
      {state.notice && <Notice kind={state.notice.kind}>{state.notice.text}</Notice>}
      <CsrfField v={v} />
      <FlaggedCopyNotice v={v} flagged={data.flaggedCopy} />
      <DetailsFields v={v} idPrefix="details" values={values} errors={errors} />
      <button type="submit" class="button">{v.t("merchant.product.save")}</button>
    </form>
  );
}

export function ProductEditorPage({ v, data, state = {} }: { v: ViewContext; data: EditorData; state?: EditorState }) {
  const { product } = data;
  return (
    <article class="merchant-product">
      <p>
        <a href="/merchant/products">{v.t("merchant.product.back")}</a>
      </p>
      <h1 class="page-title">{v.pick(product.titleZh, product.titleEn)}</h1>
      <p class="muted">{v.pick(product.store.nameZh, product.store.nameEn)}</p>
      <StatusPanel v={v} data={data} state={state.status} />
      <DetailsForm v={v} data={data} state={state.details} />
      <SkuSection v={v} data={data} state={state} />
      <ImageSection v={v} data={data} state={state.images} />
    </article>
  );
}
