// The flash sale's work on the database file itself, from the bench process through the project's own
// code: preparing the sale (a product and N signed-up buyers, untimed), reading back what was sold,
// and the baseline — the bare conditional update the checkout is built on, on the same file.
import { sql } from "drizzle-orm";
import { openDatabase } from "../db/client.ts";
import type { Database } from "../db/database.ts";
import type { ChainVerdict } from "../modules/compliance/audit-chain.ts";
import { bootstrap, type Runtime } from "../src/bootstrap.ts";
import { parseConfig } from "../src/config.ts";
import { pbkdf2Hasher } from "../src/platform/password.ts";
import type { ServerSettings } from "./server-process.ts";
import { median } from "./stats.ts";

const system = { type: "system" as const, id: "bench" };
/** Signs up this many buyers at once: hashing and reads overlap, the writes queue anyway. */
const SIGN_UP_CONCURRENCY = 16;

/**
 * The app's services on the server's database file, with cheap password hashing (the buyers' passwords
 * are never typed) and without demo data. Close it before the server is loaded again.
 */
export function openRuntime(settings: ServerSettings): Promise<Runtime> {
  const config = parseConfig({ DATABASE_URL: settings.databaseUrl, SESSION_SECRET: settings.sessionSecret, DATA_KEY: settings.dataKey, DEMO_DATA: "never", LOG_LEVEL: "warn" });
  return bootstrap(config, { passwords: pbkdf2Hasher(1_000) });
}

/** The bc_session cookie value the app sets for `token` (hono's signed cookie, as tests/fixtures/test-app.ts adoptSession). */
async function sessionCookie(key: CryptoKey, token: string): Promise<string> {
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(token)));
  return encodeURIComponent(`${token}.${Buffer.from(signature).toString("base64")}`);
}

async function demoStoreId(runtime: Runtime): Promise<string> {
  const owner = await runtime.services.accounts.findByEmail("owner@demo.broadcart.test");
  const store = owner ? (await runtime.services.catalog.storesOf(owner.id))[0] : undefined;
  if (!store) throw new Error("bench: the demo store is missing (the server seeds it with DEMO_DATA=auto)");
  return store.id;
}

export interface Sale {
  productId: string;
  skuId: string;
  /** The bc_session cookie of each buyer. */
  sessionCookies: string[];
}

/** A published product with one SKU of `units`, and `buyers` shopper accounts, each signed in once. */
export async function prepareSale(runtime: Runtime, settings: ServerSettings, { buyers, units }: { buyers: number; units: number }): Promise<Sale> {
  const run = Date.now().toString(36);
  const product = await runtime.services.catalog.createProduct(system, {
    storeId: await demoStoreId(runtime),
    titleZh: "限时秒杀",
    titleEn: "Flash sale",
    descriptionZh: "基准测试商品",
    descriptionEn: "Benchmark product",
    status: "published",
    skus: [{ code: `FLASH-${run.toUpperCase()}`, optionZh: "标准", optionEn: "Standard", priceFen: 9_900, stock: units }],
  });
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(settings.sessionSecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sessionCookies: string[] = new Array<string>(buyers);
  let next = 0;
  const signUpNext = async () => {
    while (next < buyers) {
      const i = next++;
      const { token } = await runtime.services.accounts.signUp({ email: `flash-${run}-${i}@example.com`, displayName: `Buyer ${i + 1}`, password: "long-enough-password" });
      sessionCookies[i] = await sessionCookie(key, token);
    }
  };
  await Promise.all(Array.from({ length: Math.min(buyers, SIGN_UP_CONCURRENCY) }, signUpNext));
  return { productId: product.id, skuId: product.skus[0]!.id, sessionCookies };
}

export interface Outcome {
  /** Sum of the quantities of the SKU's order lines. */
  unitsSold: number;
  orderLines: number;
  orders: number;
  stockLeft: number;
  /** Sum of the SKU's 'sale' movements (negative). */
  ledgerSales: number;
  /** Sum of all the SKU's movements, which must equal its stock. */
  ledgerTotal: number;
  audit: ChainVerdict;
}

export async function readOutcome(runtime: Runtime, skuId: string): Promise<Outcome> {
  const client = runtime.database.client;
  const one = async (query: string) => Number((await client.execute({ sql: query, args: [skuId] })).rows[0]![0]);
  return {
    unitsSold: await one("SELECT coalesce(sum(quantity), 0) FROM order_items WHERE sku_id = ?"),
    orderLines: await one("SELECT count(*) FROM order_items WHERE sku_id = ?"),
    orders: await one("SELECT count(DISTINCT order_id) FROM order_items WHERE sku_id = ?"),
    stockLeft: await one("SELECT stock FROM skus WHERE id = ?"),
    ledgerSales: await one("SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE sku_id = ? AND reason = 'sale'"),
    ledgerTotal: await one("SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE sku_id = ?"),
    audit: await runtime.services.audit.verifyChain(),
  };
}

/** A draft product with one SKU per baseline variant, each with the most stock a SKU may hold. */
export async function prepareBaselineSkus(runtime: Runtime, count: number): Promise<string[]> {
  const run = Date.now().toString(36).toUpperCase();
  const product = await runtime.services.catalog.createProduct(system, {
    storeId: await demoStoreId(runtime),
    titleZh: "基准：条件更新",
    titleEn: "Baseline: conditional update",
    descriptionZh: "基准测试",
    descriptionEn: "Benchmark",
    status: "draft",
    skus: Array.from({ length: count }, (_, i) => ({ code: `BASE-${run}-${i}`, optionZh: `${i}`, optionEn: `${i}`, priceFen: 100, stock: BASELINE_STOCK })),
  });
  return product.skus.map((sku) => sku.id);
}

/** catalogLimits.stock: enough for a million statements per variant. */
const BASELINE_STOCK = 1_000_000;
const TAKE_ONE = "UPDATE skus SET stock = stock - 1 WHERE id = ? AND stock >= 1";

export interface BaselineVariant {
  name: string;
  description: string;
  statements: number;
  roundRates: number[];
  /** Median over rounds, statements a second. */
  rate: number;
}

export interface Baseline {
  variants: BaselineVariant[];
  /** PRAGMA synchronous and journal_mode as the baseline's connection reports them. */
  synchronous: string;
  journalMode: string;
}

type Step = (database: Database, skuId: string) => Promise<number>;

const variants: { name: string; description: string; step: Step }[] = [
  {
    name: "bare update, own write tx",
    description: `client.transaction("write") — BEGIN IMMEDIATE; UPDATE; COMMIT, as the app opens every write transaction (the ratio's baseline)`,
    step: async ({ client }, skuId) => {
      const tx = await client.transaction("write");
      try {
        const result = await tx.execute({ sql: TAKE_ONE, args: [skuId] });
        await tx.commit();
        return result.rowsAffected;
      } finally {
        tx.close();
      }
    },
  },
  {
    name: "bare update, autocommit",
    description: "client.execute(UPDATE) — SQLite's implicit transaction around the one statement",
    step: async ({ client }, skuId) => (await client.execute({ sql: TAKE_ONE, args: [skuId] })).rowsAffected,
  },
  {
    name: "update via database.write",
    description: "the app's write path (its write queue, a drizzle transaction) with only this statement in it",
    step: (database, skuId) => database.write(async (tx) => (await tx.run(sql`UPDATE skus SET stock = stock - 1 WHERE id = ${skuId} AND stock >= 1`)).rowsAffected),
  },
];

export const baselineVariantCount = variants.length;

/**
 * Runs the conditional update one statement after another on `databaseUrl`, opened as the app opens it
 * (db/client.ts: WAL, synchronous=FULL, busy timeout), each variant on its own SKU, alternating the
 * variants over `rounds` rounds of `seconds` each.
 */
export async function runBaseline(databaseUrl: string, skuIds: readonly string[], { rounds, seconds }: { rounds: number; seconds: number }): Promise<Baseline> {
  const database = await openDatabase(databaseUrl);
  try {
    const pragma = async (name: string) => String((await database.client.execute(`PRAGMA ${name}`)).rows[0]![0]);
    const synchronousLevel = await pragma("synchronous");
    const synchronous = ({ "0": "OFF", "1": "NORMAL", "2": "FULL", "3": "EXTRA" } as Record<string, string>)[synchronousLevel] ?? synchronousLevel;
    const journalMode = await pragma("journal_mode");
    const results = variants.map((variant) => ({ name: variant.name, description: variant.description, statements: 0, roundRates: [] as number[] }));
    // One untimed statement each: opens the connection and prepares the statement.
    for (const [i, variant] of variants.entries()) await variant.step(database, skuIds[i]!);
    for (let round = 0; round < rounds; round++) {
      const order = variants.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const i of order) {
        const { step } = variants[i]!;
        const skuId = skuIds[i]!;
        let done = 0;
        const started = performance.now();
        const deadline = started + seconds * 1000;
        while (performance.now() < deadline) {
          if ((await step(database, skuId)) !== 1) throw new Error(`bench: the baseline SKU ${skuId} ran out of stock`);
          done++;
        }
        const result = results[i]!;
        result.statements += done;
        result.roundRates.push(done / ((performance.now() - started) / 1000));
      }
    }
    return { variants: results.map((r) => ({ ...r, rate: median(r.roundRates) })), synchronous, journalMode };
  } finally {
    database.close();
  }
}
