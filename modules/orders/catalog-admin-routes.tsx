// Merchant pages of the catalog: the store's products, a new product with its SKUs, and the product
// editor (details, publish, SKUs, stock adjustments; photos in catalog-image-routes.tsx).
// Every route lets merchants only (allow.roles); the catalog service then checks that the signed-in
// person is an owner or staff of the product's store (403 otherwise).
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { Forbidden, NotFound } from "../../src/platform/errors.ts";
import { parseForm, type FieldErrors } from "../../src/platform/forms.ts";
import { isHtmx, redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext, type ViewContext } from "../../views/view-context.ts";
import type { CopyFlags, EditorData, EditorState } from "../../views/orders/merchant/editor-state.ts";
import { message, type FormState } from "../../views/orders/merchant/fields.tsx";
import { NewProductForm, type NewProductValues } from "../../views/orders/merchant/new-product.tsx";
import { DetailsForm, ProductEditorPage, StatusPanel, productPath } from "../../views/orders/merchant/product-editor.tsx";
import type { SkuValues } from "../../views/orders/merchant/product-fields.tsx";
import { MerchantProductsPage, NoStoreNotice, ProductResults } from "../../views/orders/merchant/product-list.tsx";
import { SkuForm, SkuSection, StockPanel } from "../../views/orders/merchant/sku-section.tsx";
import type { Catalog, Sku } from "./catalog.ts";
import { detailsFieldNames, detailsForm, newSkuForm, parseNewProduct, rawSku, rawValues, skuDetailsForm, skuFieldError, skuInput, stockForm, textField, type FormBody } from "./catalog-admin-forms.ts";
import { actorOf, notice, productEditorResponses, type DisplayNames, type EditorFragment } from "./catalog-editor-responses.tsx";
import { catalogImageRoutes } from "./catalog-image-routes.tsx";
import { BarcodeTaken, CatalogInputInvalid, LastSku, SkuCodeTaken, SkuHasHistory, StockWouldGoNegative, catalogLimits, normalizeSkuCode } from "./catalog-rules.ts";

export interface CatalogAdminDeps {
  catalog: Catalog;
  /** Names for the people in stock histories; without it the history shows "you" or the account id. */
  displayNames?: DisplayNames | undefined;
  /** The copy compliance flagged, shown above the details; without it no notice is shown. */
  copyFlags?: CopyFlags | undefined;
}

const skuSection = (state: EditorState): EditorFragment => (v, data) => <SkuSection v={v} data={data} state={state} />;

/** A part about one SKU; the whole SKU list if that SKU is gone by the time the answer is drawn. */
const oneSku = (skuId: string, part: (v: ViewContext, data: EditorData, sku: Sku) => Child): EditorFragment => (v, data) => {
  const sku = data.product.skus.find((candidate) => candidate.id === skuId);
  return sku ? part(v, data, sku) : <SkuSection v={v} data={data} />;
};
const skuForm = (skuId: string, state: FormState) => oneSku(skuId, (v, data, sku) => <SkuForm v={v} data={data} sku={sku} state={state} />);
const stockPanel = (skuId: string, state: FormState) => oneSku(skuId, (v, data, sku) => <StockPanel v={v} data={data} sku={sku} state={state} />);

export function catalogAdminRoutes({ catalog, displayNames, copyFlags }: CatalogAdminDeps) {
  const app = new Hono<AppEnv>();
  const editor = productEditorResponses(catalog, displayNames, copyFlags);
  const { answer, succeed } = editor;
  app.route("/", catalogImageRoutes({ catalog, editor }));

  app.get("/merchant/products", allow.roles("merchant"), async (c) => {
    const v = viewContext(c);
    const actor = actorOf(c);
    const stores = await catalog.managedStores(actor.id);
    const wanted = c.req.query("store");
    const store = wanted ? stores.find((candidate) => candidate.id === wanted) : stores[0];
    if (wanted && !store) throw new Forbidden();
    if (!store) return renderPage(c, v.t("merchant.products.title"), <NoStoreNotice v={v} />);
    const query = (c.req.query("q") ?? "").trim();
    const rows = await catalog.storeProducts(actor, store.id, query);
    if (isHtmx(c)) return c.html(<ProductResults v={v} rows={rows} query={query} />);
    return renderPage(c, v.t("merchant.products.title"), <MerchantProductsPage v={v} stores={stores} store={store} query={query} rows={rows} />);
  });

  app.get("/merchant/products/new", allow.roles("merchant"), async (c) => {
    const v = viewContext(c);
    const stores = await catalog.managedStores(actorOf(c).id);
    const wanted = c.req.query("store");
    if (wanted && !stores.some((store) => store.id === wanted)) throw new Forbidden();
    if (stores.length === 0) return renderPage(c, v.t("merchant.products.new"), <NoStoreNotice v={v} />);
    const values: NewProductValues = { storeId: wanted ?? stores[0]!.id, rows: [{}, {}] };
    return renderPage(c, v.t("merchant.products.new"), <NewProductForm v={v} stores={stores} values={values} />);
  });

  app.post("/merchant/products", allow.roles("merchant"), async (c) => {
    const v = viewContext(c);
    const actor = actorOf(c);
    const body = (await c.req.parseBody()) as FormBody;
    const stores = await catalog.managedStores(actor.id);
    const wantedStore = textField(body, "storeId");
    if (wantedStore && !stores.some((store) => store.id === wantedStore)) throw new Forbidden();
    const form = parseNewProduct(body, stores);
    const show = (errors: FieldErrors, status: ContentfulStatusCode, failure?: string) =>
      renderPage(c, v.t("merchant.products.new"), <NewProductForm v={v} stores={stores} values={form.values} errors={errors} failure={failure} />, status);

    if (textField(body, "intent") === "add_row") {
      if (form.values.rows.length < catalogLimits.skusPerProduct) form.values.rows.push({});
      return show({}, 200);
    }
    if (Object.keys(form.errors).length > 0 || !form.store || !form.details) return show(form.errors, 422);
    try {
      const product = await catalog.createProduct(actor, { ...form.details, storeId: form.store.id, status: "draft", skus: form.skus });
      return redirectAfterPost(c, productPath(product.id));
    } catch (error) {
      // Codes and barcodes are unique across stores, so only the database can tell that one is taken.
      const rowOf = (match: (raw: SkuValues) => boolean) => Math.max(form.values.rows.findIndex(match), 0);
      if (error instanceof SkuCodeTaken) return show({ [`sku.${rowOf((raw) => normalizeSkuCode(raw.code ?? "") === error.skuCode)}.code`]: error.messageKey }, 422);
      if (error instanceof BarcodeTaken) return show({ [`sku.${rowOf((raw) => raw.barcode?.trim() === error.barcode)}.barcode`]: error.messageKey }, 422);
      if (error instanceof CatalogInputInvalid) return show({}, 422, message(v, error.messageKey));
      throw error;
    }
  });

  app.get("/merchant/products/:id", allow.roles("merchant"), async (c) => {
    return answer(c, c.req.param("id"), {}, 200, (v, data) => <ProductEditorPage v={v} data={data} />);
  });

  app.post("/merchant/products/:id", allow.roles("merchant"), async (c) => {
    const id = c.req.param("id");
    const actor = actorOf(c);
    await catalog.productForStaff(actor, id);
    const body = (await c.req.parseBody()) as FormBody;
    const values = rawValues(body, detailsFieldNames);
    const refuse = (errors: FieldErrors) => answer(c, id, { details: { values, errors } }, 422, (v, data) => <DetailsForm v={v} data={data} state={{ values, errors }} />);
    const form = parseForm(detailsForm, body);
    if (!form.ok) return refuse(form.errors);
    try {
      await catalog.updateProduct(actor, id, form.value);
    } catch (error) {
      if (error instanceof CatalogInputInvalid) return refuse({ [error.field]: error.messageKey });
      throw error;
    }
    const v = viewContext(c);
    const saved = notice("success", v.t("merchant.product.saved"));
    return succeed(c, id, { details: saved }, (v, data) => <DetailsForm v={v} data={data} state={saved} />);
  });

  for (const [path, status] of [["publish", "published"], ["unpublish", "draft"]] as const) {
    app.post(`/merchant/products/:id/${path}`, allow.roles("merchant"), async (c) => {
      const id = c.req.param("id");
      const product = await catalog.setProductStatus(actorOf(c), id, status);
      const v = viewContext(c);
      const done = notice("success", v.t(product.status === "published" ? "merchant.product.published" : "merchant.product.unpublished"));
      return succeed(c, id, { status: done }, (v, data) => <StatusPanel v={v} data={data} state={done} />);
    });
  }

  app.post("/merchant/products/:id/skus", allow.roles("merchant"), async (c) => {
    const id = c.req.param("id");
    const actor = actorOf(c);
    const product = await catalog.productForStaff(actor, id);
    const body = (await c.req.parseBody()) as FormBody;
    const values = rawSku(body) as Record<string, string>;
    const refuse = (errors: FieldErrors) => answer(c, id, { skus: { values, errors } }, 422, skuSection({ skus: { values, errors } }));
    const form = parseForm(newSkuForm(product.store.currency), values);
    if (!form.ok) return refuse(form.errors);
    try {
      await catalog.addSku(actor, id, skuInput(form.value));
    } catch (error) {
      const errors = skuFieldError(error);
      if (errors) return refuse(errors);
      throw error;
    }
    const done = notice("success", viewContext(c).t("merchant.sku.added", { code: form.value.code }));
    return succeed(c, id, { skus: done }, skuSection({ skus: done }));
  });

  app.post("/merchant/products/:id/skus/:skuId", allow.roles("merchant"), async (c) => {
    const { id, skuId } = c.req.param();
    const actor = actorOf(c);
    const product = await catalog.productForStaff(actor, id);
    const sku = product.skus.find((candidate) => candidate.id === skuId);
    if (!sku) throw new NotFound("sku_not_found");
    const body = (await c.req.parseBody()) as FormBody;
    const values = rawSku(body) as Record<string, string>;
    const refuse = (errors: FieldErrors) => answer(c, id, { sku: { id: skuId, values, errors } }, 422, skuForm(skuId, { values, errors }));
    const form = parseForm(skuDetailsForm(sku.price.currency), values);
    if (!form.ok) return refuse(form.errors);
    try {
      await catalog.updateSku(actor, id, skuId, skuInput(form.value));
    } catch (error) {
      const errors = skuFieldError(error);
      if (errors) return refuse(errors);
      throw error;
    }
    const done = notice("success", viewContext(c).t("merchant.sku.saved"));
    return succeed(c, id, { sku: { id: skuId, ...done } }, skuForm(skuId, done));
  });

  app.post("/merchant/products/:id/skus/:skuId/remove", allow.roles("merchant"), async (c) => {
    const { id, skuId } = c.req.param();
    const v = viewContext(c);
    const product = await catalog.productForStaff(actorOf(c), id);
    const code = product.skus.find((candidate) => candidate.id === skuId)?.code ?? "";
    try {
      await catalog.removeSku(actorOf(c), id, skuId);
    } catch (error) {
      if (!(error instanceof SkuHasHistory || error instanceof LastSku)) throw error;
      const refused = notice("error", v.t(error.messageKey, { code }));
      return answer(c, id, { skus: refused }, error.status, skuSection({ skus: refused }));
    }
    const done = notice("success", v.t("merchant.sku.removed", { code }));
    return succeed(c, id, { skus: done }, skuSection({ skus: done }));
  });

  app.post("/merchant/products/:id/skus/:skuId/stock", allow.roles("merchant"), async (c) => {
    const { id, skuId } = c.req.param();
    const actor = actorOf(c);
    await catalog.productForStaff(actor, id);
    const body = (await c.req.parseBody()) as FormBody;
    const values = rawValues(body, ["delta", "reason"]);
    const refuse = (errors: FieldErrors, errorParams?: Record<string, number>) =>
      answer(c, id, { stock: { id: skuId, values, errors, errorParams } }, 422, stockPanel(skuId, { values, errors, errorParams }));
    const form = parseForm(stockForm, body);
    if (!form.ok) return refuse(form.errors);
    let stock: number;
    try {
      const product = await catalog.adjustStock(actor, id, skuId, form.value.delta, form.value.reason);
      stock = product.skus.find((candidate) => candidate.id === skuId)?.stock ?? 0;
    } catch (error) {
      if (error instanceof StockWouldGoNegative) return refuse({ delta: error.messageKey }, { count: error.stock });
      if (error instanceof CatalogInputInvalid) return refuse({ [error.field]: error.messageKey });
      throw error;
    }
    const delta = form.value.delta > 0 ? `+${form.value.delta}` : String(form.value.delta);
    const done = notice("success", viewContext(c).t("merchant.stock.adjusted", { delta, count: stock }));
    return succeed(c, id, { stock: { id: skuId, ...done } }, stockPanel(skuId, done));
  });

  return app;
}
