import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFolderImageStore } from "./folder.ts";
import { createMemoryImageStore } from "./image-store.ts";

const dir = mkdtempSync(join(tmpdir(), "broadcart-images-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const [name, store] of [
  ["folder", createFolderImageStore(join(dir, "images"))],
  ["memory", createMemoryImageStore()],
] as const) {
  describe(`${name} image store`, () => {
    it("keeps the bytes and the content type under a key until deleted", async () => {
      const bytes = Uint8Array.from([1, 2, 3, 4]);
      await store.put("img_A1.png", bytes, "image/png");
      expect(await store.get("img_A1.png")).toEqual({ bytes, contentType: "image/png" });
      await store.delete("img_A1.png");
      expect(await store.get("img_A1.png")).toBeNull();
      await store.delete("img_A1.png"); // deleting twice is fine
    });

    it("refuses keys that could name another path", async () => {
      for (const key of ["../escape.png", "a/b.png", "img.svg", ""]) {
        await expect(store.put(key, Uint8Array.from([1]), "image/png")).rejects.toThrow("not a storage key");
        expect(await store.get(key)).toBeNull();
      }
    });
  });
}

describe("folder image store writes", () => {
  it("leaves no temporary files behind", async () => {
    const store = createFolderImageStore(join(dir, "tidy"));
    await store.put("img_B2.webp", Uint8Array.from([9]), "image/webp");
    expect(readdirSync(join(dir, "tidy")).sort()).toEqual(["img_B2.webp", "img_B2.webp.content-type"]);
  });
});
