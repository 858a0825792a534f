// Builds every service from the runtime's dependencies, wiring modules through each other's services.
import type { Database } from "../db/database.ts";
import { createAuditTrail, createHostVerification, createPersonalDataExport, createRetention, HostNotVerified, type AuditSigningKey } from "../modules/compliance/index.ts";
import { createErasure, createModeration, moderateProductSaves, moderateShowTitles, type ModerationFlag } from "../modules/compliance/index.ts";
import { createKeyRotation } from "../modules/compliance/index.ts";
import { createCatalog, createOrders, type CardPayments, type ImageStore, type OrderSettings } from "../modules/orders/index.ts";
import { createDisplayFeed, createPos } from "../modules/pos/index.ts";
import { createLive, createRoomFeed, createRooms, createSessionRetention, createShowcase, type RoomGateway } from "../modules/live/index.ts";
import { createCommunity, createFollows, createShowCalendarFeed, createShowNotices } from "../modules/social/index.ts";
import { createMemberCodes, createMembership, createPointsLedger } from "../modules/social/index.ts";
import { createGroupBuys } from "../modules/social/index.ts";
import { createReferrals, createSocialFigures } from "../modules/social/index.ts";
import { createTierCoupons } from "../modules/social/index.ts";
import { createAccounts } from "./accounts/service.ts";
import { createNotifications } from "./accounts/notifications.ts";
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
  const notifications = createNotifications({ database, clock });
  // Moderation: officers' terms on top of the built-in list. "Remove" takes content down through the
  // module that owns it (unpublishes a product, blanks a show's title, redacts a chat message);
  // "warn" puts a notice in the author's inbox.
  const moderation = createModeration({
    database,
    audit,
    clock,
    log,
    removers: {
      product: async (flag) => (await catalogService.setProductStatus({ type: "system", id: "moderation" }, flag.subjectId, "draft"), true),
      live_title: (flag, officer) => live.removeTitle(officer, flag.subjectId, flag.text),
      chat: (flag, officer) => rooms.removeChatMessage(officer, flag.subjectId),
    },
    warnAuthor: async (tx, flag, note) => {
      const terms = [...new Set(flag.terms.map((match) => match.term))];
      await notifications.notify(tx, flag.authorId, "moderation.warning", { kind: flag.kind, field: flag.field, terms, note }, warnedContentLink(flag));
    },
  });
  // Product copy and show titles are flagged on save (wrappers until catalog/live offer save hooks).
  const catalog = moderateProductSaves(catalogService, moderation, log);
  const live = moderateShowTitles(createLive({ database, audit, clock, catalog, images, hostNames: (ids) => accounts.displayNames(ids) }), moderation, log);
  const liveSessionStore = (id: string) => live.getSession(id).then((session) => session.store.id, () => null);
  const liveSessionHost = (id: string) => live.getSession(id).then((session) => session.host.id, () => null);
  const orders = createOrders({ database, audit, clock, catalog, sealer, cardPayments, settings: orderSettings, log, liveSessionStore, liveSessionHost, onOrderPlaced: (order) => liveRoom.orderPlaced(order) });
  const pos = createPos({ database, audit, clock, sealer, storeSales: orders.storeSales, managedStore: (userId) => orders.managedStore(userId) });
  const community = createCommunity({ database, audit, clock, images, catalog, live, bannedTerms: (text) => moderation.bannedTerms(text), displayNames: (ids) => accounts.displayNames(ids) });
  const follows = createFollows({ database, clock, accounts, catalog, live });
  // Points and tiers: earned and reversed through the order events, spent through the checkout's points wallet.
  const pointsLedger = createPointsLedger({ database });
  // Tier coupons: a claim of each coupon a store registered for the member's tier, handed out after a paid order's earning.
  const tierCoupons = createTierCoupons({ database, audit, clock, coupons: orders.coupons, catalog, notifications, log });
  const membership = createMembership({ database, audit, clock, log, ledger: pointsLedger, memberCodes: createMemberCodes({ database, audit, clock }), tierBenefits: tierCoupons });
  orders.listen(membership.orderEvents);
  orders.extendCheckout({ points: membership.wallet });
  const groupBuys = createGroupBuys({ database, audit, clock, catalog, live, orders, notifications, displayNames: (ids) => accounts.displayNames(ids), log });
  orders.listen(groupBuys.events);
  orders.extendCheckout({ groupSeats: groupBuys.seats });
  const referrals = createReferrals({ database, audit, clock, catalog, live, orders, points: pointsLedger, notifications, displayNames: (ids) => accounts.displayNames(ids) });
  orders.listen(referrals.orderEvents);
  const showNotices = createShowNotices({ database, clock, live, notifications });
  const showCalendar = createShowCalendarFeed({ clock, accounts, live });
  const displayName = async (userId: string) => (await accounts.displayNames([userId])).get(userId) ?? "—";
  const rooms = createRooms({
    database,
    audit,
    clock,
    live,
    gateway: roomGateway,
    bannedTerms: (text) => moderation.bannedTerms(text),
    flagRefusedChat: async (message) => {
      await moderation.flag({ type: "user", id: message.userId }, { kind: "chat", subjectId: message.id, storeId: message.storeId, field: "body", text: message.body });
    },
    log,
    hostApproved: (userId) => hostVerification.isApproved(userId),
    hostNotVerified: () => new HostNotVerified(),
    displayName,
    onRoomStarted: async (sessionId) => void (await showNotices.announceRoomStarted(sessionId)),
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
  const sessionRetention = createSessionRetention({ database, images });
  const retention = createRetention({
    database,
    audit,
    clock,
    days: retentionDays,
    sources: [
      { name: "live_chat_messages", purge: (cutoff) => rooms.purgeChatBefore(cutoff) },
      { name: "live_sessions", purge: (cutoff) => sessionRetention.purgeSessionsBefore(cutoff) },
      { name: "live_webhook_events", purge: (cutoff) => sessionRetention.purgeWebhookEventsBefore(cutoff) },
    ],
  });
  const personalData = createPersonalDataExport({
    chatMessages: (userId) => rooms.chatOf(userId),
    pointsHistory: (userId, limit) => membership.history(userId, limit),
    database,
    audit,
    clock,
    accounts,
    orders: { shopperOrdersWithAddress: (userId, limit) => orders.queries.shopperOrdersWithAddress(userId, limit), unusedClaims: (userId) => orders.coupons.unusedClaims(userId), usedClaims: (userId) => orders.coupons.usedClaims(userId) },
    sections: {
      following: (userId) => follows.following(userId),
      showReminders: (userId) => follows.reminders(userId),
      community: (userId) => community.contentOf(userId),
      inbox: (userId) => notifications.all(userId),
    },
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
      { name: "moderation_flags", erase: (userId) => moderation.eraseAuthor(userId) },
      { name: "notifications", erase: (userId) => notifications.erase(userId) },
      { name: "community", erase: (userId) => community.eraseMember(userId) },
      { name: "follows", erase: (userId) => follows.eraseMember(userId) },
      { name: "member_code", erase: (userId) => membership.eraseMemberCode(userId) },
      { name: "referrals", erase: (userId) => referrals.eraseVisitor(userId) },
    ],
  });
  // Key rotation: each module re-seals its own sealed columns under the current data key.
  const keyRotation = createKeyRotation({
    database,
    audit,
    keyId: sealer.currentKeyId,
    sources: [
      { name: "order_addresses", reseal: () => orders.resealAddresses() },
      { name: "host_verifications", reseal: () => hostVerification.reseal() },
      { name: "pos_device_secrets", reseal: () => pos.resealSecrets() },
    ],
  });
  const socialFigures = createSocialFigures({ follows, referrals, groupBuys, points: pointsLedger, now: () => clock.now() });
  return { socialFigures, erasure, moderation, notifications, audit, hostVerification, accounts, catalog, live, orders, pos, posDisplay, rooms, showcase, liveRoom, roomGateway, retention, personalData, keyRotation, community, follows, showNotices, showCalendar, membership, groupBuys, referrals, tierCoupons };
}

/** Where a warned author fixes what was flagged: the product editor, or their list of shows. */
function warnedContentLink(flag: ModerationFlag): string | null {
  if (flag.kind === "product") return `/merchant/products/${flag.subjectId}`;
  if (flag.kind === "live_title") return "/studio";
  return null;
}

export type Services = ReturnType<typeof createServices>;
