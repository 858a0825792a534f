// The product's photos in the editor: upload (JPEG, PNG, WebP), move earlier or later, remove.
// The first photo is the one the product page shows.
import { catalogLimits } from "../../../modules/orders/index.ts";
import { CsrfField, Notice } from "../../components.tsx";
import type { ViewContext } from "../../view-context.ts";
import type { EditorData } from "./editor-state.ts";
import type { FormState } from "./fields.tsx";

function MoveImageForm({ v, action, direction }: { v: ViewContext; action: string; direction: "up" | "down" }) {
  return (
    <form method="post" action={action} hx-post={action} hx-target="#images" hx-swap="outerHTML" class="inline-form">
      <CsrfField v={v} />
      <input type="hidden" name="direction" value={direction} />
      <button type="submit" class="button">{v.t(direction === "up" ? "merchant.images.move_up" : "merchant.images.move_down")}</button>
    </form>
  );
}

export function ImageSection({ v, data, state = {} }: { v: ViewContext; data: EditorData; state?: FormState }) {
  const { product } = data;
  const base = `/merchant/products/${product.id}/images`;
  const title = v.pick(product.titleZh, product.titleEn);
  const mb = catalogLimits.imageBytes / (1024 * 1024);
  return (
    <section id="images" class="section" aria-labelledby="images-title">
      <h2 id="images-title">{v.t("merchant.images.section")}</h2>
      {state.notice && <Notice kind={state.notice.kind}>{state.notice.text}</Notice>}
      {product.images.length === 0 ? (
        <p class="muted">{v.t("merchant.images.none")}</p>
      ) : (
        <ol class="card-list">
          {product.images.map((image, i) => (
            <li class="session-card" data-image-id={image.id}>
              <img src={image.url} alt={v.t("merchant.images.alt", { n: i + 1, title })} width="120" height="120" class="product-thumb" loading="lazy" />
              {i === 0 && <p class="muted">{v.t("merchant.images.first")}</p>}
              <div>
                {i > 0 && <MoveImageForm v={v} action={`${base}/${image.id}/move`} direction="up" />}{" "}
                {i < product.images.length - 1 && <MoveImageForm v={v} action={`${base}/${image.id}/move`} direction="down" />}{" "}
                <form method="post" action={`${base}/${image.id}/remove`} hx-post={`${base}/${image.id}/remove`} hx-target="#images" hx-swap="outerHTML" class="inline-form">
                  <CsrfField v={v} />
                  <button type="submit" class="link-button">{v.t("merchant.images.remove")}</button>
                </form>
              </div>
            </li>
          ))}
        </ol>
      )}
      {product.images.length < catalogLimits.imagesPerProduct && (
        <form method="post" action={base} hx-post={base} hx-target="#images" hx-swap="outerHTML" enctype="multipart/form-data" class="card">
          <CsrfField v={v} />
          <div class="field">
            <label for="image-upload">{v.t("merchant.images.upload_label", { mb })}</label>
            <input id="image-upload" type="file" name="image" accept="image/jpeg,image/png,image/webp" required />
          </div>
          <button type="submit" class="button">{v.t("merchant.images.upload")}</button>
        </form>
      )}
    </section>
  );
}
