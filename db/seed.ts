// Seeds the demo data once, through the services, so every row is audited like any other change.
import type { Services } from "../src/services.ts";
import type { Actor } from "../modules/compliance/index.ts";
import { DEMO_PASSWORD, demoAccounts, demoProducts, demoStore } from "./seed-data.ts";

const seedActor: Actor = { type: "system", id: "seed" };
const DAY = 24 * 60 * 60 * 1000;

/** True when it seeded; false when the demo data was already there. */
export async function seedDemoData(services: Services, now: Date): Promise<boolean> {
  const { accounts, catalog, live } = services;
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

  const productIds: string[] = [];
  for (const product of demoProducts) productIds.push((await catalog.createProduct(seedActor, { ...product, storeId: store.id })).id);

  const finished = await live.scheduleSession(seedActor, {
    storeId: store.id,
    hostId: id("hostZhou"),
    title: "丝绸好物专场 Silk favourites",
    scheduledAt: new Date(now.getTime() - 2 * DAY),
    productIds: [productIds[3]!, productIds[10]!, productIds[4]!],
  });
  await live.startSession({ type: "user", id: id("hostZhou") }, finished.id);
  await live.endSession({ type: "user", id: id("hostZhou") }, finished.id);

  // Tomorrow at 20:00 China Standard Time (12:00 UTC).
  const tomorrow = new Date(now.getTime() + DAY);
  const showTime = new Date(Date.UTC(tomorrow.getUTCFullYear(), tomorrow.getUTCMonth(), tomorrow.getUTCDate(), 12, 0, 0));
  await live.scheduleSession(seedActor, {
    storeId: store.id,
    hostId: id("hostLin"),
    title: "春茶上新 · 明前龙井开箱 Spring tea launch",
    scheduledAt: showTime,
    productIds: [productIds[0]!, productIds[1]!, productIds[2]!, productIds[4]!, productIds[5]!],
  });

  return true;
}

export function demoSignIns(): string[] {
  return demoAccounts.map((account) => `  ${account.roles.join("+").padEnd(13)} ${account.email}`);
}
