// `npm run budgets`: prints the size budgets of the issue "edge and scale-out".
//  1. The Workers bundle (wrangler deploy --dry-run), raw and gzip: Cloudflare refuses a Worker over
//     3 MB compressed (free plan) / 10 MB (paid); our target is 1 MB compressed.
//  2. The weight of each shopper page without images, as a first visit loads it: the HTML plus every
//     same-origin stylesheet and script it references, raw and gzip, against the 30 KB target (judged on
//     gzip, what travels). The LiveKit client the watch page loads is shown on its own line.
// Exits 1 only when the bundle is over Cloudflare's hard limit (free plan); the rest is information.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { createLiveKitGateway } from "../modules/live/index.ts";
import { randomToken } from "../src/platform/crypto.ts";
import { startTestApp, type TestApp, type TestClient } from "../tests/fixtures/test-app.ts";
import { wranglerCommand, wranglerEnvironment } from "../tests/fixtures/wrangler.ts";

const KB = 1024;
const CLOUDFLARE_FREE_LIMIT = 3 * KB * KB;
const CLOUDFLARE_PAID_LIMIT = 10 * KB * KB;
const BUNDLE_TARGET = 1 * KB * KB;
const PAGE_TARGET = 30 * KB;
/** Counted on its own line: the watch page's video client, not part of the page's own weight. */
const LIVEKIT_CLIENT = "/static/vendor/livekit-client.umd.js";

const repoRoot = new URL("..", import.meta.url).pathname;

interface Weight {
  raw: number;
  gzip: number;
}

const weigh = (bytes: Uint8Array): Weight => ({ raw: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength });
const add = (a: Weight, b: Weight): Weight => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip });
const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;

/** Bundles edge/worker.ts as `wrangler deploy` would, without uploading, and weighs the script. */
function workerBundle(): Weight {
  const outdir = join(repoRoot, ".cache", "worker-bundle");
  const home = mkdtempSync(join(tmpdir(), "broadcart-budgets-"));
  const wrangler = wranglerCommand();
  try {
    execFileSync(wrangler.binary, [...wrangler.args, "deploy", "--dry-run", "--outdir", outdir, "--config", join(repoRoot, "wrangler.toml")], {
      cwd: repoRoot,
      env: { ...process.env, ...wranglerEnvironment(home) },
      stdio: ["ignore", "pipe", "inherit"],
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return weigh(readFileSync(join(outdir, "worker.js")));
}

interface PageWeight {
  name: string;
  path: string;
  html: Weight;
  assets: Weight;
  total: Weight;
  /** The LiveKit client, when the page loads it (not in total). */
  liveKit?: Weight;
}

/** The same-origin stylesheets and scripts a page references. */
function referencedAssets(html: string): string[] {
  const urls = [
    ...html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="(\/[^"/][^"]*)"/g),
    ...html.matchAll(/<script\b[^>]*\bsrc="(\/[^"/][^"]*)"/g),
  ].map((match) => match[1]!);
  return [...new Set(urls)];
}

async function weighPage(client: TestClient, name: string, path: string): Promise<PageWeight> {
  const response = await client.get(path);
  if (response.status !== 200) throw new Error(`${name} (${path}) answered ${response.status}`);
  const htmlBytes = new Uint8Array(await response.arrayBuffer());
  let assets: Weight = { raw: 0, gzip: 0 };
  let liveKit: Weight | undefined;
  for (const url of referencedAssets(new TextDecoder().decode(htmlBytes))) {
    const asset = await client.request(url);
    if (asset.status !== 200) throw new Error(`${url}, referenced by ${path}, answered ${asset.status}`);
    const weight = weigh(new Uint8Array(await asset.arrayBuffer()));
    if (url === LIVEKIT_CLIENT) liveKit = weight;
    else assets = add(assets, weight);
  }
  const html = weigh(htmlBytes);
  return { name, path, html, assets, total: add(html, assets), liveKit };
}

/** A demo shopper with something in the cart and one order placed, and a show that is live. */
async function shopperPages(app: TestApp): Promise<PageWeight[]> {
  const first = async (sql: string) => String((await app.database.client.execute(sql)).rows[0]![0]);
  const productId = await first("SELECT id FROM products WHERE status = 'published' ORDER BY created_at LIMIT 1");
  const skuId = await first("SELECT s.id FROM skus s JOIN products p ON p.id = s.product_id WHERE p.status = 'published' AND s.stock >= 5 ORDER BY s.code LIMIT 1");
  const sessionId = await first("SELECT id FROM live_sessions ORDER BY scheduled_at LIMIT 1");
  await app.database.client.execute({ sql: "UPDATE live_sessions SET status = 'live' WHERE id = ?", args: [sessionId] });

  const shopper = app.client();
  await shopper.signIn("shopper@demo.broadcart.test", DEMO_PASSWORD);
  await shopper.get(`/checkout?sku=${skuId}`);
  const placed = await shopper.post("/checkout", {
    sku: skuId,
    quantity: "1",
    recipient: "王小明",
    phone: "13800138000",
    region: "浙江省杭州市西湖区",
    street: "龙井路 1 号",
    paymentMethod: "offline",
    idempotencyKey: randomToken(24),
  });
  if (placed.status !== 303) throw new Error(`placing the demo order answered ${placed.status}`);
  await shopper.post("/cart", { sku: skuId, quantity: "1" });

  const pages: [string, string][] = [
    ["home", "/"],
    ["product", `/products/${productId}`],
    ["watch (live show)", `/live/${sessionId}`],
    ["cart", "/cart"],
    ["checkout", `/checkout?sku=${skuId}`],
    ["my orders", "/orders"],
    ["member", "/member"],
  ];
  const weights: PageWeight[] = [];
  for (const [name, path] of pages) weights.push(await weighPage(shopper, name, path));
  return weights;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ")).join("\n");
}

const bundle = workerBundle();
const bundleVerdict = bundle.gzip > CLOUDFLARE_FREE_LIMIT ? "OVER Cloudflare's free-plan limit" : bundle.gzip > BUNDLE_TARGET ? "over target" : "ok";
console.log("Workers bundle (.cache/worker-bundle/worker.js)");
console.log(
  table([
    ["", "raw", "gzip", "target (gzip)", "Cloudflare limit (gzip)", ""],
    ["worker.js", kb(bundle.raw), kb(bundle.gzip), kb(BUNDLE_TARGET), `${kb(CLOUDFLARE_FREE_LIMIT)} free / ${kb(CLOUDFLARE_PAID_LIMIT)} paid`, bundleVerdict],
  ]),
);

// In process, on a temporary database with the demo data; a LiveKit gateway is configured (never
// called while rendering) so the watch page of a live show references its scripts as in production.
const app = await startTestApp({
  env: { DEFAULT_LOCALE: "zh-CN", LOG_LEVEL: "silent" },
  roomGateway: createLiveKitGateway({ url: "ws://127.0.0.1:7880", apiKey: "budgets", apiSecret: "budgets-secret-budgets-secret-budgets" }),
});
try {
  const pages = await shopperPages(app);
  console.log(`\nShopper pages without images: HTML + same-origin CSS and JS (target ${kb(PAGE_TARGET)} gzip each)`);
  const rows = [["page", "HTML raw", "HTML gzip", "CSS+JS raw", "CSS+JS gzip", "total raw", "total gzip", ""]];
  for (const page of pages) {
    rows.push([
      page.name,
      kb(page.html.raw),
      kb(page.html.gzip),
      kb(page.assets.raw),
      kb(page.assets.gzip),
      kb(page.total.raw),
      kb(page.total.gzip),
      page.total.gzip <= PAGE_TARGET ? "ok" : "over target",
    ]);
    if (page.liveKit) rows.push([`  + LiveKit client (${page.name})`, "", "", kb(page.liveKit.raw), kb(page.liveKit.gzip), kb(page.total.raw + page.liveKit.raw), kb(page.total.gzip + page.liveKit.gzip), "video client, not counted"]);
  }
  console.log(table(rows));
} finally {
  app.close();
}

if (bundle.gzip > CLOUDFLARE_FREE_LIMIT) {
  console.error(`\nThe Workers bundle is ${kb(bundle.gzip)} compressed: over Cloudflare's ${kb(CLOUDFLARE_FREE_LIMIT)} limit.`);
  process.exit(1);
}
