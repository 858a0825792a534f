// The Workers image store: a Cloudflare R2 bucket binding. No Bun or Node imports, so edge/ can use it.
import type { R2Bucket } from "@cloudflare/workers-types";
import { assertStorageKey, isStorageKey, type ImageStore } from "./image-store.ts";

export function createR2ImageStore(bucket: R2Bucket, prefix = "products/"): ImageStore {
  return {
    async put(key, bytes, contentType) {
      assertStorageKey(key);
      await bucket.put(prefix + key, bytes, { httpMetadata: { contentType } });
    },

    async get(key) {
      if (!isStorageKey(key)) return null;
      const object = await bucket.get(prefix + key);
      if (!object) return null;
      const bytes = new Uint8Array(await object.arrayBuffer());
      return { bytes, contentType: object.httpMetadata?.contentType ?? "application/octet-stream" };
    },

    async delete(key) {
      assertStorageKey(key);
      await bucket.delete(prefix + key);
    },
  };
}
