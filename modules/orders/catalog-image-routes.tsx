// Product photos over HTTP: the public photo URLs under /media/products/, and the editor's upload,
// reorder and remove. Uploads are refused by size before the body is read where the request says
// its length; the catalog service then checks the bytes are a JPEG, PNG or WebP.
import { Hono } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { NotFound } from "../../src/platform/errors.ts";
import { viewContext } from "../../views/view-context.ts";
import { message, type FormState } from "../../views/orders/merchant/fields.tsx";
import { ImageSection } from "../../views/orders/merchant/image-section.tsx";
import type { Catalog } from "./catalog.ts";
import { textField, type FormBody } from "./catalog-admin-forms.ts";
import { actorOf, notice, type EditorFragment, type ProductEditorResponses } from "./catalog-editor-responses.tsx";
import { ImageRejected, catalogLimits } from "./catalog-rules.ts";
import { isStorageKey } from "./images/image-store.ts";

const imageSection = (state: FormState): EditorFragment => (v, data) => <ImageSection v={v} data={data} state={state} />;

export function catalogImageRoutes({ catalog, editor }: { catalog: Catalog; editor: ProductEditorResponses }) {
  const app = new Hono<AppEnv>();
  const { answer, succeed } = editor;

  // Photos are public once their product is published: immutable (a key is never reused for other bytes).
  app.get("/media/products/:key", allow.public(), async (c) => {
    const key = c.req.param("key");
    if (!isStorageKey(key)) throw new NotFound("image_not_found");
    const image = await catalog.openImage(key, c.var.user ? actorOf(c) : null);
    return c.body(image.bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": image.contentType,
      "Content-Length": String(image.bytes.byteLength),
      "Cache-Control": image.public ? "public, max-age=31536000, immutable" : "private, no-store",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
    });
  });

  app.post("/merchant/products/:id/images", allow.roles("merchant"), async (c) => {
    const id = c.req.param("id");
    const actor = actorOf(c);
    const v = viewContext(c);
    await catalog.productForStaff(actor, id);
    const refuse = (error: ImageRejected) => {
      const refused = notice("error", message(v, error.messageKey));
      return answer(c, id, { images: refused }, error.status, imageSection(refused));
    };
    // A declared length over the limit is refused before the body is read.
    if (Number(c.req.header("content-length") ?? 0) > catalogLimits.imageBytes + 64 * 1024) return refuse(new ImageRejected("validation.image.too_large"));
    const body = (await c.req.parseBody()) as FormBody;
    const file = body.image;
    if (!(file instanceof File) || file.size === 0) return refuse(new ImageRejected("validation.image.required"));
    if (file.size > catalogLimits.imageBytes) return refuse(new ImageRejected("validation.image.too_large"));
    try {
      await catalog.addImage(actor, id, new Uint8Array(await file.arrayBuffer()));
    } catch (error) {
      if (error instanceof ImageRejected) return refuse(error);
      throw error;
    }
    const done = notice("success", v.t("merchant.images.uploaded"));
    return succeed(c, id, { images: done }, imageSection(done));
  });

  app.post("/merchant/products/:id/images/:imageId/remove", allow.roles("merchant"), async (c) => {
    const { id, imageId } = c.req.param();
    await catalog.removeImage(actorOf(c), id, imageId);
    const done = notice("success", viewContext(c).t("merchant.images.removed"));
    return succeed(c, id, { images: done }, imageSection(done));
  });

  app.post("/merchant/products/:id/images/:imageId/move", allow.roles("merchant"), async (c) => {
    const { id, imageId } = c.req.param();
    const body = (await c.req.parseBody()) as FormBody;
    const direction = textField(body, "direction") === "up" ? "up" : "down";
    await catalog.moveImage(actorOf(c), id, imageId, direction);
    return succeed(c, id, {}, imageSection({}));
  });

  return app;
}
