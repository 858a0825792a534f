// Builds every service from the runtime's dependencies, wiring modules through each other's services.
import type { Database } from "../db/database.ts";
import { createAuditTrail, createHostVerification, createPersonalDataExport, createRetention, HostNotVerified, type AuditSigningKey } from "../modules/compliance/index.ts";
import { createErasure, createModeration, moderateProductSaves, moderateShowTitles } from "../modules/compliance/index.ts";
import { createCatalog, createOrders, type CardPayments, type ImageStore, type OrderSettings } from "../modules/orders/index.ts";
import { createDisplayFeed, createPos } from "../modules/pos/index.ts";
import { createLive, createRoomFeed, createRooms, createShowcase, type RoomGateway } from "../modules/live/index.ts";
import { createAccounts } from "./accounts/service.ts";
import type { Clock } from "./platform/clock.ts";
import type { Logger } from "./platform/logging.ts";
import type { PasswordHasher } from "./platform/password.ts";
import type { Sealer } from "./platform/sealing.ts";

export interface ServiceDeps {
  database: Database;
  clock: Clock;
  passwords: PasswordHasher;
  sealer: Sealer;
  /** Null where no card provider is configured: checkout then offers paying in store or on delivery only. */
  cardPayments: CardPayments | null;
  orderSettings: OrderSettings;
  log?: Logger;
  /** Where product photos' bytes live: a folder on Bun, an R2 bucket on Workers. */
  images: ImageStore;
  /** The LiveKit server's rooms, tokens and data packets; null where none is configured. */
  roomGateway: RoomGateway | null;
  /** How long chat and live-session records are kept (RETENTION_DAYS); three years when not given. */
  retentionDays?: number;
  /** Signs audit exports (AUDIT_SIGNING_KEY); without it exporting is refused. */
  auditSigningKey?: AuditSigningKey;
}

export function createServices({ database, clock, passwords, sealer, cardPayments, orderSettings, log, images, roomGateway, retentionDays, auditSigningKey }: ServiceDeps) {
  const audit = createAuditTrail({ database, clock, signingKey: auditSigningKey });
  const hostVerification = createHostVerification({ database, audit, clock, sealer, images });
  const accounts = createAccounts({ database, audit, clock, passwords });
  const catalogService = createCatalog({ database, audit, clock, images });
  // Moderation: officers' terms on top of the built-in list; "remove" unpublishes a product through the catalog.
  // A show's title has no service that changes it, so a "removed" decision on one is recorded only.
  const moderation = createModeration({ database, audit, clock, log, removers: { product: async (flag) => (await catalogService.setProductStatus({ type: "system", id: "moderation" }, flag.subjectId, "draft"), true) } });
  // Product copy and show titles are flagged on save (wrappers until catalog/live offer save hooks).
  const catalog = moderateProductSaves(catalogService, moderation, log);
  const live = moderateShowTitles(createLive({ database, audit, clock, catalog, images, hostNames: (ids) => accounts.displayNames(ids) }), moderation, log);
  const liveSessionStore = (id: string) => live.getSession(id).then((session) => session.store.id, () => null);
  const liveSessionHost = (id: string) => live.getSession(id).then((session) => session.host.id, () => null);
  const orders = createOrders({ database, audit, clock, catalog, sealer, cardPayments, settings: orderSettings, log, liveSessionStore, liveSessionHost, onOrderPlaced: (order) => liveRoom.orderPlaced(order) });
  const pos = createPos({ database, audit, clock, sealer, storeSales: orders.storeSales, managedStore: (userId) => orders.managedStore(userId) });
  const displayName = async (userId: string) => (await accounts.displayNames([userId])).get(userId) ?? "—";
  const rooms = createRooms({
    database,
    audit,
    clock,
    live,
    gateway: roomGateway,
    bannedTerms: (text) => moderation.bannedTerms(text),
    hostApproved: (userId) => hostVerification.isApproved(userId),
    hostNotVerified: () => new HostNotVerified(),
    displayName,
  });
  const runningSales = async (sessionId: string) => (await orders.flashSales.active(sessionId)).map((sale) => ({ ...sale, priceFen: sale.price.amount }));
  const showcase = createShowcase({ catalog, runningSales });
  // The till's customer display shows the store's live show's pinned product, else its last sale.
  const posDisplay = createDisplayFeed({
    lastSale: (storeId) => orders.storeSales.lastStoreSale(storeId),
    async livePin(storeId) {
      const sessionId = await live.liveSessionIdOf(storeId);
      if (!sessionId) return null;
      const card = await showcase.card(sessionId, (await rooms.stats(sessionId)).pinnedProductId);
      const option = card?.options.find((o) => o.sale) ?? card?.options[0];
      if (!card || !option) return null;
      return { mode: "live", title: card.titleZh, titleEn: card.titleEn, option: option.optionZh, priceFen: option.priceFen, currency: option.currency, stock: option.stock, saleLeft: option.sale?.left ?? null };
    },
  });
  const liveRoom = createRoomFeed({ rooms, showcase, figures: (sessionId) => orders.queries.liveFigures(sessionId), currencyOf: async (sessionId) => (await live.getSession(sessionId)).store.currency, displayName });
  const retention = createRetention({ database, audit, clock, days: retentionDays, sources: [{ name: "live_chat_messages", purge: (cutoff) => rooms.purgeChatBefore(cutoff) }] });
  const personalData = createPersonalDataExport({
    chatMessages: (userId) => rooms.chatOf(userId),
    database,
    audit,
    clock,
    accounts,
    orders: { forShopper: (userId, limit) => orders.queries.forShopper(userId, limit), shopperOrder: (userId, orderId) => orders.queries.shopperOrder(userId, orderId), unusedClaims: (userId) => orders.coupons.unusedClaims(userId) },
  });
  // Erasure: each module erases what it holds through its own service; orders and amounts stay.
  const erasure = createErasure({
    database,
    audit,
    clock,
    erasers: [
      { name: "account", erase: (userId) => accounts.erase(userId) },
      { name: "order_addresses", erase: (userId) => orders.eraseShopper(userId) },
      { name: "chat", erase: (userId) => rooms.eraseChatOf(userId) },
      { name: "host_verification", erase: (userId) => hostVerification.erase(userId) },
    ],
  });
  return { erasure, moderation, audit, hostVerification, accounts, catalog, live, orders, pos, posDisplay, rooms, showcase, liveRoom, roomGateway, retention, personalData };
}

export type Services = ReturnType<typeof createServices>;
