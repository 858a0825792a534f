// Product photos: store staff add, remove and reorder them; /media serves their bytes. The rows
// (product_images) are the catalog's; the bytes live in an ImageStore (a folder on Bun, R2 on Workers).
import { eq } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { productImages, products } from "../../db/schema/orders.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { NotFound } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import { loadProduct, productToChange, type Product } from "./catalog-records.ts";
import { ImageRejected, catalogLimits } from "./catalog-rules.ts";
import type { ImageStore } from "./images/image-store.ts";
import { imageExtensions, sniffImageType } from "./images/sniff.ts";
import { isStoreStaff } from "./order-records.ts";

export interface ServedImage {
  bytes: Uint8Array;
  contentType: string;
  /** Only a published product's photos may be kept by shared caches. */
  public: boolean;
}

export interface CatalogImages {
  addImage(actor: Actor, productId: string, bytes: Uint8Array): Promise<Product>;
  removeImage(actor: Actor, productId: string, imageId: string): Promise<Product>;
  moveImage(actor: Actor, productId: string, imageId: string, direction: "up" | "down"): Promise<Product>;
  /** A photo's bytes for /media: a published product's for anyone, a draft's for its store's staff only. */
  openImage(key: string, viewer: Actor | null): Promise<ServedImage>;
}

// The bytes go to the image store first, then the row and its audit entry in one transaction; if that
// transaction fails, the stored bytes are deleted again. Removing goes the other way: the row first,
// then the bytes (a failed delete leaves an unreachable file, not a broken row).
export function createCatalogImages({ database, audit, clock, images }: { database: Database; audit: AuditTrail; clock: Clock; images: ImageStore }): CatalogImages {
  const { db } = database;
  return {
    async addImage(actor, productId, bytes) {
      if (bytes.byteLength === 0) throw new ImageRejected("validation.image.required");
      if (bytes.byteLength > catalogLimits.imageBytes) throw new ImageRejected("validation.image.too_large");
      const contentType = sniffImageType(bytes);
      if (!contentType) throw new ImageRejected("validation.image.type");
      const product = await productToChange(db, actor, productId);
      if (product.images.length >= catalogLimits.imagesPerProduct) throw new ImageRejected("validation.image.too_many");

      const now = clock.now();
      const id = newId("img", now.getTime());
      const key = `${id}.${imageExtensions[contentType]}`;
      await images.put(key, bytes, contentType);
      try {
        await database.write(async (tx) => {
          await productToChange(tx, actor, productId);
          const existing = await tx.select({ position: productImages.position }).from(productImages).where(eq(productImages.productId, productId));
          if (existing.length >= catalogLimits.imagesPerProduct) throw new ImageRejected("validation.image.too_many");
          const position = existing.reduce((max, row) => Math.max(max, row.position + 1), 0);
          await tx.insert(productImages).values({ id, productId, storageKey: key, contentType, byteSize: bytes.byteLength, position, createdAt: now });
          await audit.record(tx, { actor, action: "image.added", subject: `product:${productId}`, data: { imageId: id, key, contentType, byteSize: bytes.byteLength, position } });
        });
      } catch (error) {
        await images.delete(key).catch(() => undefined);
        throw error;
      }
      return loadProduct(db, productId);
    },

    async removeImage(actor, productId, imageId) {
      const removed = await database.write(async (tx) => {
        const product = await productToChange(tx, actor, productId);
        const image = product.images.find((candidate) => candidate.id === imageId);
        if (!image) throw new NotFound("image_not_found");
        await tx.delete(productImages).where(eq(productImages.id, imageId));
        const rest = product.images.filter((candidate) => candidate.id !== imageId);
        for (const [position, other] of rest.entries()) await tx.update(productImages).set({ position }).where(eq(productImages.id, other.id));
        await audit.record(tx, { actor, action: "image.removed", subject: `product:${productId}`, data: { imageId, key: image.key } });
        return image;
      });
      await images.delete(removed.key).catch(() => undefined);
      return loadProduct(db, productId);
    },

    async moveImage(actor, productId, imageId, direction) {
      await database.write(async (tx) => {
        const product = await productToChange(tx, actor, productId);
        const from = product.images.findIndex((candidate) => candidate.id === imageId);
        if (from < 0) throw new NotFound("image_not_found");
        const to = direction === "up" ? from - 1 : from + 1;
        if (to < 0 || to >= product.images.length) return;
        const order = product.images.map((image) => image.id);
        [order[from], order[to]] = [order[to]!, order[from]!];
        for (const [position, id] of order.entries()) await tx.update(productImages).set({ position }).where(eq(productImages.id, id));
        await audit.record(tx, { actor, action: "image.moved", subject: `product:${productId}`, data: { imageId, from, to } });
      });
      return loadProduct(db, productId);
    },

    async openImage(key, viewer) {
      const [row] = await db
        .select({ contentType: productImages.contentType, status: products.status, storeId: products.storeId })
        .from(productImages)
        .innerJoin(products, eq(products.id, productImages.productId))
        .where(eq(productImages.storageKey, key));
      if (!row) throw new NotFound("image_not_found");
      const published = row.status === "published";
      if (!published && !(viewer?.type === "user" && (await isStoreStaff(db, row.storeId, viewer.id)))) throw new NotFound("image_not_found");
      const stored = await images.get(key);
      if (!stored) throw new NotFound("image_not_found");
      return { bytes: stored.bytes, contentType: row.contentType, public: published };
    },
  };
}
