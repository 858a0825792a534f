// The Bun (and Node) image store: one file per image in a folder, with its content type beside it.
// Each file is written under a temporary name and renamed, so a reader never sees half an image.
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { assertStorageKey, isStorageKey, type ImageStore } from "./image-store.ts";

const TYPE_SUFFIX = ".content-type";

export function createFolderImageStore(folder: string): ImageStore {
  let ready: Promise<unknown> | undefined;
  const ensureFolder = () => (ready ??= mkdir(folder, { recursive: true }));

  async function writeAtomically(path: string, data: Uint8Array | string) {
    const temporary = `${path}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, data, { flush: true });
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  return {
    async put(key, bytes, contentType) {
      assertStorageKey(key);
      await ensureFolder();
      // The type first: an image file without its type is never served (get answers null).
      await writeAtomically(join(folder, key + TYPE_SUFFIX), contentType);
      await writeAtomically(join(folder, key), bytes);
    },

    async get(key) {
      if (!isStorageKey(key)) return null;
      try {
        const [bytes, contentType] = await Promise.all([readFile(join(folder, key)), readFile(join(folder, key + TYPE_SUFFIX), "utf8")]);
        return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), contentType: contentType.trim() };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },

    async delete(key) {
      assertStorageKey(key);
      await rm(join(folder, key), { force: true });
      await rm(join(folder, key + TYPE_SUFFIX), { force: true });
    },
  };
}
