// The flash sale's load generator: its own process (like bench/load.ts), so the buyers never share the
// server's event loop. bench/flash-sale.ts starts it and writes a FlashSaleJob as JSON to its stdin; it
// prints progress to stderr and one FlashSaleLoadReport as the last line of stdout. It exits 0 even when
// responses were errors: judging them is the caller's business.
//
// Every buyer is a browser with its own session and CSRF cookie and one kept-alive connection while it
// is in flight:
//   1. before the sale (not timed): GET /checkout?sku=…&quantity=1, keeping the bc_csrf cookie and the
//      form's _csrf field, as a buyer who has the checkout page open waiting for the sale to start;
//   2. the race (timed): `concurrency` buyers at a time POST /checkout for one unit. 303 to /orders/<id>
//      is an order, 409 is "sold out", anything else is an error.
import { ownCpuSeconds, processCpuSeconds } from "./cpu.ts";
import { percentile, Samples } from "./stats.ts";

export interface FlashSaleJob {
  baseUrl: string;
  skuId: string;
  /** The value of each buyer's bc_session cookie. */
  sessionCookies: string[];
  concurrency: number;
  serverPid: number;
}

export interface Latency {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface FlashSaleLoadReport {
  prepare: {
    seconds: number;
    pages: number;
    latency: Latency;
    errorKinds: Record<string, number>;
  };
  race: {
    /** From the first checkout sent to the last answer received. */
    seconds: number;
    /** From the first checkout sent to the last order (303) received; null without orders. */
    lastOrderSeconds: number | null;
    /** From the first checkout sent to the first "sold out" (409) received. */
    firstSoldOutSeconds: number | null;
    orders: number;
    /** Distinct order ids in the 303 answers' Location. */
    distinctOrderIds: number;
    soldOut: number;
    errors: number;
    errorKinds: Record<string, number>;
    /** The start of the first error's body, to tell what went wrong. */
    firstError: string | null;
    orderLatency: Latency;
    soldOutLatency: Latency;
    allLatency: Latency;
    /** Share of one CPU used during the race (1 = one core busy). */
    loadCpu: number;
    serverCpu: number | null;
    /**
     * Server CPU seconds until the first "sold out" answer (or the end, if none): about the cost of the
     * orders, as no sold-out page is rendered before the stock is gone. Null where it cannot be read.
     */
    serverCpuUntilSoldOut: number | null;
  };
}

/** A checkout that takes longer than this counts as an error rather than stalling the bench. */
const REQUEST_TIMEOUT_MS = 30_000;
const address = { recipient: "王小明", phone: "13800138000", region: "浙江省杭州市西湖区", street: "龙井路 1 号" };

interface Buyer {
  cookie: string;
  csrf: string;
}

function latencyOf(samples: Samples): Latency {
  const sorted = samples.sorted();
  const at = (p: number) => (sorted.length === 0 ? null : percentile(sorted, p));
  return { count: sorted.length, p50Ms: at(50), p90Ms: at(90), p99Ms: at(99), maxMs: at(100) };
}

function count(kinds: Map<string, number>, kind: string): void {
  kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : String(error));

/** Runs `task(i)` for i = 0 … n−1 with at most `concurrency` running at once. */
async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
}

function idempotencyKey(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
}

/** Opens every buyer's checkout page: the CSRF cookie and token each buyer's order needs. */
async function prepare(job: FlashSaleJob, log: (line: string) => void): Promise<{ buyers: (Buyer | null)[]; report: FlashSaleLoadReport["prepare"] }> {
  const url = `${job.baseUrl}/checkout?sku=${job.skuId}&quantity=1`;
  const latencies = new Samples();
  const errorKinds = new Map<string, number>();
  const buyers: (Buyer | null)[] = job.sessionCookies.map(() => null);
  const started = performance.now();
  await pool(job.sessionCookies.length, job.concurrency, async (i) => {
    const session = `bc_session=${job.sessionCookies[i]!}`;
    const sent = performance.now();
    try {
      const response = await fetch(url, { headers: { cookie: session, accept: "text/html" }, redirect: "manual", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const html = await response.text();
      const csrfCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith("bc_csrf="))?.split(";")[0];
      const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
      if (response.status !== 200) return count(errorKinds, `HTTP ${response.status}`);
      if (!csrfCookie || !csrf) return count(errorKinds, "no CSRF token on the page");
      latencies.push(performance.now() - sent);
      buyers[i] = { cookie: `${session}; ${csrfCookie}`, csrf };
    } catch (error) {
      count(errorKinds, errorName(error));
    }
  });
  const seconds = (performance.now() - started) / 1000;
  log(`opened ${latencies.length} checkout pages in ${seconds.toFixed(1)} s (${Math.round(latencies.length / seconds)}/s), ${job.sessionCookies.length - latencies.length} errors`);
  return { buyers, report: { seconds, pages: latencies.length, latency: latencyOf(latencies), errorKinds: Object.fromEntries(errorKinds) } };
}

/** Every buyer who got a checkout page submits it once, `concurrency` at a time. */
async function race(job: FlashSaleJob, buyers: Buyer[], log: (line: string) => void): Promise<FlashSaleLoadReport["race"]> {
  const url = `${job.baseUrl}/checkout`;
  const origin = new URL(job.baseUrl).origin;
  const orderLatency = new Samples();
  const soldOutLatency = new Samples();
  const allLatency = new Samples();
  const errorKinds = new Map<string, number>();
  const orderIds = new Set<string>();
  let firstError: string | null = null;
  let lastOrderAt: number | null = null;
  let firstSoldOutAt: number | null = null;
  let serverAtSoldOut: number | null = null;
  let errors = 0;
  // Built before the clock starts, so the race measures the server rather than form encoding.
  const bodies = buyers.map((buyer) =>
    new URLSearchParams({ ...address, paymentMethod: "offline", idempotencyKey: idempotencyKey(), sku: job.skuId, quantity: "1", _csrf: buyer.csrf }).toString(),
  );

  const cpuBefore = ownCpuSeconds();
  const serverBefore = processCpuSeconds(job.serverPid);
  const started = performance.now();
  await pool(buyers.length, job.concurrency, async (i) => {
    const sent = performance.now();
    try {
      const response = await fetch(url, {
        method: "POST",
        body: bodies[i]!,
        headers: { cookie: buyers[i]!.cookie, "content-type": "application/x-www-form-urlencoded", accept: "text/html", origin },
        redirect: "manual",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = await response.text();
      const done = performance.now();
      const orderId = /^\/orders\/(ord_[0-9A-Z]+)$/.exec(response.headers.get("location") ?? "")?.[1];
      if (response.status === 303 && orderId) {
        orderIds.add(orderId);
        orderLatency.push(done - sent);
        allLatency.push(done - sent);
        lastOrderAt = done;
      } else if (response.status === 409) {
        soldOutLatency.push(done - sent);
        allLatency.push(done - sent);
        if (firstSoldOutAt === null) {
          firstSoldOutAt = done;
          serverAtSoldOut = processCpuSeconds(job.serverPid);
        }
      } else {
        errors++;
        count(errorKinds, response.status === 303 ? `HTTP 303 to ${response.headers.get("location")}` : `HTTP ${response.status}`);
        firstError ??= `HTTP ${response.status}: ${body.replace(/\s+/g, " ").slice(0, 300)}`;
      }
    } catch (error) {
      errors++;
      count(errorKinds, errorName(error));
      firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  });
  const ended = performance.now();
  const serverAfter = processCpuSeconds(job.serverPid);
  const seconds = (ended - started) / 1000;
  const since = (at: number | null) => (at === null ? null : (at - started) / 1000);
  log(`race: ${orderLatency.length} orders, ${soldOutLatency.length} sold out, ${errors} errors in ${seconds.toFixed(2)} s`);
  return {
    seconds,
    lastOrderSeconds: since(lastOrderAt),
    firstSoldOutSeconds: since(firstSoldOutAt),
    orders: orderLatency.length,
    distinctOrderIds: orderIds.size,
    soldOut: soldOutLatency.length,
    errors,
    errorKinds: Object.fromEntries(errorKinds),
    firstError,
    orderLatency: latencyOf(orderLatency),
    soldOutLatency: latencyOf(soldOutLatency),
    allLatency: latencyOf(allLatency),
    loadCpu: (ownCpuSeconds() - cpuBefore) / seconds,
    serverCpu: serverBefore === null || serverAfter === null ? null : (serverAfter - serverBefore) / seconds,
    serverCpuUntilSoldOut: serverBefore === null ? null : firstSoldOutAt === null ? (serverAfter === null ? null : serverAfter - serverBefore) : serverAtSoldOut === null ? null : serverAtSoldOut - serverBefore,
  };
}

export async function runFlashSale(job: FlashSaleJob): Promise<FlashSaleLoadReport> {
  const log = (line: string) => process.stderr.write(`load: ${line}\n`);
  const prepared = await prepare(job, log);
  const buyers = prepared.buyers.filter((buyer): buyer is Buyer => buyer !== null);
  return { prepare: prepared.report, race: await race(job, buyers, log) };
}

if (import.meta.main) {
  const job = JSON.parse(await Bun.stdin.text()) as FlashSaleJob;
  process.stdout.write(`${JSON.stringify(await runFlashSale(job))}\n`);
}
