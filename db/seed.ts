// Seeds the demo data once, through the services, so every row is audited like any other change.
import { createServices, type ServiceDeps } from "../src/services.ts";
import type { Clock } from "../src/platform/clock.ts";
import type { Actor } from "../modules/compliance/index.ts";
import { DEMO_PASSWORD, demoAccounts, demoProducts, demoStore } from "./seed-data.ts";

const seedActor: Actor = { type: "system", id: "seed" };
const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

/** The seed tells a short history (the shop opened three days ago, yesterday's show ran), so its clock is set as it goes. */
function storyClock(start: Date) {
  let current = start.getTime();
  const clock: Clock = { now: () => new Date(current++) };
  return { clock, at: (date: Date) => void (current = date.getTime()) };
}

/** China Standard Time 20:00 (12:00 UTC), `days` from now's date. */
function eightPmCst(now: Date, days: number): Date {
  const day = new Date(now.getTime() + days * DAY);
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 12, 0, 0));
}

/** True when it seeded; false when the demo data was already there. */
export async function seedDemoData(deps: ServiceDeps): Promise<boolean> {
  const now = deps.clock.now();
  const story = storyClock(new Date(now.getTime() - 3 * DAY));
  const { accounts, catalog, live, orders, hostVerification, community } = createServices({ ...deps, clock: story.clock });
  if (await accounts.findByEmail(demoAccounts[0]!.email)) return false;

  const users = new Map<string, string>();
  for (const account of demoAccounts) {
    const user = await accounts.createAccount({ ...account, password: DEMO_PASSWORD, locale: null }, seedActor);
    users.set(account.key, user.id);
  }
  const id = (key: string) => users.get(key)!;

  const store = await catalog.createStore(seedActor, demoStore);
  await catalog.addStaff(seedActor, store.id, id("owner"), "owner");
  await catalog.addStaff(seedActor, store.id, id("staff"), "staff");
  await catalog.addStaff(seedActor, store.id, id("hostLin"), "host");
  await catalog.addStaff(seedActor, store.id, id("hostZhou"), "host");
  // The demo hosts' real-name verification is approved, so they can go live.
  await hostVerification.approveForSeed(seedActor, id("hostLin"));
  await hostVerification.approveForSeed(seedActor, id("hostZhou"));

  const productIds: string[] = [];
  for (const product of demoProducts) productIds.push((await catalog.createProduct(seedActor, { ...product, storeId: store.id })).id);

  const finishedAt = eightPmCst(now, -2);
  const finished = await live.scheduleSession(seedActor, {
    storeId: store.id,
    hostId: id("hostZhou"),
    title: "丝绸好物专场 Silk favourites",
    scheduledAt: finishedAt,
    productIds: [productIds[3]!, productIds[10]!, productIds[4]!],
  });
  story.at(finishedAt);
  await live.startSession({ type: "user", id: id("hostZhou") }, finished.id);
  // A shopper bought during the show; staff confirmed the payment on delivery and shipped it next morning.
  story.at(new Date(finishedAt.getTime() + 40 * MINUTE));
  const silkScarf = (await catalog.getPublishedProduct(productIds[3]!)).skus[0]!;
  const order = await orders.checkout.placeOrder({
    userId: id("shopperWang"),
    idempotencyKey: "seed-silk-favourites-order",
    lines: [{ skuId: silkScarf.id, quantity: 1 }],
    address: { recipient: "王小明", phone: "13800138000", region: "上海市浦东新区", street: "世纪大道 100 号 8 楼" },
    couponCode: null,
    paymentMethod: "offline",
    channel: "live",
    liveSessionId: finished.id,
    fromCart: false,
  });
  story.at(new Date(finishedAt.getTime() + 95 * MINUTE));
  await live.endSession({ type: "user", id: id("hostZhou") }, finished.id);
  story.at(new Date(finishedAt.getTime() + 14 * 60 * MINUTE));
  await orders.lifecycle.confirmOfflinePayment({ type: "user", id: id("staff") }, order.id);
  await orders.lifecycle.ship({ type: "user", id: id("staff") }, order.id, "顺丰速运 SF Express", "SF1403526687201");

  const owner: Actor = { type: "user", id: id("owner") };
  const couponWindow = { startsAt: new Date(now.getTime() - DAY), endsAt: new Date(now.getTime() + 30 * DAY) };
  await orders.coupons.create(owner, {
    storeId: store.id, code: "TEA299", nameZh: "满 299 减 30", nameEn: "¥30 off orders over ¥299", kind: "amount_off", value: 3_000, minSpendFen: 29_900, capFen: null,
    audience: "everyone", scope: "store", ...couponWindow, perShopperLimit: 1, totalLimit: 500,
  });
  await orders.coupons.create(owner, {
    storeId: store.id, code: "WELCOME10", nameZh: "新人首单立减 10 元", nameEn: "¥10 off your first order", kind: "amount_off", value: 1_000, minSpendFen: 5_000, capFen: null,
    audience: "new_shoppers", scope: "store", ...couponWindow, perShopperLimit: 1, totalLimit: 1_000,
  });

  story.at(new Date(now.getTime() - 30 * MINUTE));
  const springLaunch = await live.scheduleSession(seedActor, {
    storeId: store.id,
    hostId: id("hostLin"),
    title: "春茶上新 · 明前龙井开箱 Spring tea launch",
    scheduledAt: eightPmCst(now, 1),
    productIds: [productIds[0]!, productIds[1]!, productIds[2]!, productIds[4]!, productIds[5]!],
  });
  const post = { storeId: store.id, picture: null, productId: null, sessionId: null };
  await community.createPost(id("owner"), { ...post, productId: productIds[0]!, body: "今年的明前龙井到货啦，欢迎品尝。This year's pre-Qingming Longjing is in: come and taste it." });
  await community.createPost(id("hostLin"), { ...post, sessionId: springLaunch.id, body: "明晚 8 点直播开箱春茶，记得来看！Spring tea unboxing tomorrow at 8 pm, see you there!" });

  return true;
}

export function demoSignIns(): string[] {
  return demoAccounts.map((account) => `  ${account.roles.join("+").padEnd(13)} ${account.email}`);
}
