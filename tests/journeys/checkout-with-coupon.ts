// The merchant creates a coupon on the coupon page; the shopper checks out with it and pays offline;
// the order is discounted on every page that shows it; the merchant confirms the payment.
import { expect } from "bun:test";
import { demoProducts } from "../../db/seed-data.ts";
import { findSku, formatYuan } from "./storefront.ts";
import type { Journey } from "./target.ts";
import { demoEmails, formFields, page, redirected, signedIn } from "./web-client.ts";

const longjing = demoProducts[0]!;
const tin = longjing.skus[0]!; // ¥168.00
const COUPON_OFF_FEN = 2_000;
const discount = `-${formatYuan(COUPON_OFF_FEN)}`;
const total = formatYuan(tin.priceFen - COUPON_OFF_FEN);

export const checkoutWithCoupon: Journey = async (target) => {
  const code = `JOURNEY${crypto.randomUUID().slice(0, 6).toUpperCase()}`;
  const owner = await signedIn(target, demoEmails.owner);
  const couponPage = await page(await owner.get("/merchant/coupons"));
  await redirected(await owner.post("/merchant/coupons", {
    ...formFields(couponPage, "coupon-form"),
    code,
    nameZh: "旅程券",
    nameEn: "Journey coupon",
    kind: "amount_off",
    amount: String(COUPON_OFF_FEN / 100),
    minSpend: "100",
  }));
  const coupons = await page(await owner.get("/merchant/coupons"));
  expect(coupons).toContain(`<code>${code}</code>`);
  expect(coupons).toContain(`${formatYuan(COUPON_OFF_FEN)} off orders over ¥100.00`);

  const shopper = await signedIn(target, demoEmails.shopper);
  const { skuId } = await findSku(shopper, longjing.titleEn, tin.optionEn);
  const checkout = await page(await shopper.get(`/checkout?sku=${skuId}`));
  const fields = { ...formFields(checkout, "checkout"), couponCode: code.toLowerCase(), paymentMethod: "offline" };
  const quote = await page(await shopper.post("/checkout/quote", fields, { htmx: true }));
  expect(quote).toContain(discount);
  expect(quote).toContain(`data-testid="total">${total}<`);

  const orderPath = await redirected(await shopper.post("/checkout", fields));
  const orderId = /^\/orders\/(ord_[0-9A-Z]+)$/.exec(orderPath)?.[1];
  expect(orderId).toBeDefined();
  // The same form sent twice (a double tap) is the same order.
  expect((await shopper.post("/checkout", fields)).headers.get("location")).toBe(orderPath);

  const order = await page(await shopper.get(orderPath));
  expect(order).toContain("Awaiting payment");
  expect(order).toContain(discount);
  expect(order).toContain(total);

  const staffView = await page(await owner.get(`/merchant/orders/${orderId}`));
  expect(staffView).toContain("Confirm payment received");
  const confirmed = await page(await owner.post(`/merchant/orders/${orderId}/confirm-payment`));
  expect(confirmed).toContain("Paid, awaiting shipment");
  expect(confirmed).not.toContain("Confirm payment received");
  expect(await page(await shopper.get(orderPath))).toContain("Paid, awaiting shipment");
};
