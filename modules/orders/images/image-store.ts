// Where product photos' bytes live. The catalog keeps the rows (product_images); an ImageStore keeps
// the bytes under a storage key: a folder on Bun (folder.ts), an R2 bucket on Workers (r2.ts).
// This file imports nothing runtime-specific, so every entry can use it.

export interface StoredImage {
  bytes: Uint8Array;
  contentType: string;
}

export interface ImageStore {
  /** Stores the bytes under `key`; a second put of the same key replaces them. */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<StoredImage | null>;
  /** Forgets `key`; deleting a key that is not there is not an error. */
  delete(key: string): Promise<void>;
}

/**
 * Storage keys are made by the catalog ("img_01JD….png"), never taken from a request as they are;
 * every store still refuses anything else, so a key can never name a path outside its folder.
 */
const storageKeyPattern = /^[A-Za-z0-9_-]{1,100}\.(?:jpg|png|webp)$/;

export function isStorageKey(key: string): boolean {
  return storageKeyPattern.test(key);
}

export function assertStorageKey(key: string): void {
  if (!isStorageKey(key)) throw new Error(`not a storage key: ${JSON.stringify(key)}`);
}

/** Keeps images in memory, for tests: everything is lost when the process stops, so no entry uses it. */
export function createMemoryImageStore(): ImageStore {
  const images = new Map<string, StoredImage>();
  return {
    async put(key, bytes, contentType) {
      assertStorageKey(key);
      images.set(key, { bytes: bytes.slice(), contentType });
    },
    async get(key) {
      if (!isStorageKey(key)) return null;
      const image = images.get(key);
      return image ? { bytes: image.bytes.slice(), contentType: image.contentType } : null;
    },
    async delete(key) {
      images.delete(key);
    },
  };
}
