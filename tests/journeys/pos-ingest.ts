// A till joins over HTTP and reports a sale: the merchant creates a device on the till page and gets a
// pairing code, the agent exchanges it at /pos/v1/pair and sends a signed batch to /pos/v1/ingest. The
// sale shows on the store transactions page, and the one stock the storefront sells from went down.
import { expect } from "bun:test";
import { demoProducts } from "../../db/seed-data.ts";
import { signedHeaders, type IngestAnswer, type PairAnswer, type StoreTransaction } from "../../modules/pos/protocol.ts";
import { findSku, stockShown } from "./storefront.ts";
import type { Journey, Target } from "./target.ts";
import { demoEmails, page, signedIn, webClient } from "./web-client.ts";

const osmanthus = demoProducts.find((product) => product.skus[0]!.code === "SNK-GHG-6")!;
const boxOfSix = osmanthus.skus[0]!; // ¥29.90

export const posIngest: Journey = async (target) => {
  const owner = await signedIn(target, demoEmails.owner);
  const { path, skuId } = await findSku(webClient(target), osmanthus.titleEn, boxOfSix.optionEn);
  const stockBefore = await stockShown(webClient(target), path, skuId);

  await page(await owner.get("/merchant/pos"));
  const deviceName = `Journey till ${crypto.randomUUID().slice(0, 4)}`;
  const devicePage = await page(await owner.post("/merchant/pos/devices", { name: deviceName }), 201);
  const code = /Pairing code for [^:]+: ([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(devicePage)?.[1];
  expect(code).toBeDefined();

  const paired = await fetch(`${target.baseUrl}/pos/v1/pair`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code, name: deviceName }) });
  expect(paired.status).toBe(200);
  const device = (await paired.json()) as PairAnswer;
  expect(device.deviceId).toMatch(/^\w+$/);
  // A pairing code is single-use.
  expect((await fetch(`${target.baseUrl}/pos/v1/pair`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code }) })).status).not.toBe(200);

  const receiptNo = `J${Date.now()}`;
  const sale: StoreTransaction = {
    sequence: 1,
    kind: "sale",
    receiptNo,
    at: new Date().toISOString(),
    lines: [{ code: boxOfSix.code, quantity: 2, unitPriceFen: boxOfSix.priceFen }],
    totalFen: 2 * boxOfSix.priceFen,
    currency: "CNY",
    payment: "cash",
  };
  const batch = JSON.stringify({ deviceId: device.deviceId, transactions: [sale] });
  const first = await sendSigned(target, device, "/pos/v1/ingest", batch);
  expect(first.status).toBe(200);
  expect(((await first.json()) as IngestAnswer).acknowledged).toEqual([1]);
  // The agent sends the batch again when it missed the answer: acknowledged, not counted twice.
  const again = await sendSigned(target, device, "/pos/v1/ingest", batch);
  expect(((await again.json()) as IngestAnswer).acknowledged).toEqual([1]);
  // A body changed after signing is refused.
  const forged = await sendSigned(target, device, "/pos/v1/ingest", batch, (body) => body.replace('"quantity":2', '"quantity":1'));
  expect(forged.status).toBe(401);

  const transactions = await page(await owner.get("/merchant/pos/transactions"));
  expect(transactions).toContain(receiptNo);
  expect(transactions).toContain(deviceName);
  expect(await stockShown(webClient(target), path, skuId)).toBe(stockBefore - 2);
};

/** POSTs a body signed with the device's secret, as the agent's relay does; `tamper` changes it after signing. */
async function sendSigned(target: Target, device: PairAnswer, path: string, body: string, tamper = (text: string) => text): Promise<Response> {
  const headers = await signedHeaders(device.deviceId, device.secret, "POST", path, body);
  return fetch(`${target.baseUrl}${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: tamper(body) });
}
