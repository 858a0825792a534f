// Copies the browser libraries we serve ourselves from node_modules into static/vendor/.
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const staticDir = fileURLToPath(new URL("../static", import.meta.url));

const vendorFiles: { from: string; to: string }[] = [
  { from: "htmx.org/dist/htmx.min.js", to: "htmx.min.js" },
  // The UMD build (the package's "require" export), loaded only on the studio and watch pages.
  { from: "livekit-client", to: "livekit-client.umd.js" },
];

export function copyVendorAssets(): void {
  const require = createRequire(import.meta.url);
  const vendorDir = join(staticDir, "vendor");
  mkdirSync(vendorDir, { recursive: true });
  for (const { from, to } of vendorFiles) {
    const source = require.resolve(from);
    const target = join(vendorDir, to);
    if (!existsSync(target) || statSync(target).mtimeMs < statSync(source).mtimeMs) copyFileSync(source, target);
  }
}

