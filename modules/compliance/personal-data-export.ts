// A shopper's own data, exported as one JSON document from their account page: their account,
// their orders (lines, after-sales requests, the shipping address opened), their coupon claims,
// and, where the live module offers it, their chat messages. Everything is read through the owning
// modules' services, never their tables. What cannot be read that way is named in `omitted`, so
// the export never leaves something out silently. Each export is audited.
import type { Database } from "../../db/database.ts";
import type { Clock } from "../../src/platform/clock.ts";
import type { CurrentUser } from "../../src/platform/context.ts";
import type { OrderWithAddress } from "../orders/index.ts";
import type { AuditTrail } from "./audit.ts";

export const PERSONAL_DATA_FORMAT = "broadcart.personal-data/1";
/** Orders beyond this many (newest first) are named in `omitted` rather than loaded. */
export const EXPORT_ORDER_LIMIT = 5_000;
export const POINTS_HISTORY_LIMIT = 500;

export interface ExportedChatMessage {
  id: string;
  sessionId: string;
  body: string;
  status: string;
  at: string;
}

export interface PersonalDataExportDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  accounts: { findById(id: string): Promise<CurrentUser | null> };
  orders: {
    /** The shopper's orders with their addresses opened, newest first, at most `limit`. */
    shopperOrdersWithAddress(userId: string, limit: number): Promise<OrderWithAddress[]>;
    /** The shopper's coupon claims not yet used on an order. */
    unusedClaims(userId: string): Promise<object[]>;
    /** The shopper's coupon claims used on an order. */
    usedClaims(userId: string): Promise<object[]>;
  };
  /** The user's chat messages, from the live module; absent until the live module exports such a read. */
  chatMessages?: (userId: string) => Promise<ExportedChatMessage[]>;
  /** The user's membership points history (social module), newest first, at most POINTS_HISTORY_LIMIT rows. */
  pointsHistory?: (userId: string, limit: number) => Promise<object[]>;
  /** Further parts, each read through its owner's service: what the user follows, wrote in communities, was notified of… */
  sections?: Readonly<Record<string, (userId: string) => Promise<unknown>>>;
}

export interface Omission {
  what: string;
  reason: string;
}

export interface PersonalData {
  format: typeof PERSONAL_DATA_FORMAT;
  exportedAt: string;
  account: { id: string; email: string; displayName: string; roles: string[]; locale: string | null; createdAt: string };
  orders: OrderWithAddress[];
  afterSalesRequests: (OrderWithAddress["afterSales"][number] & { orderNumber: string })[];
  couponClaims: { unused: object[]; used: object[] };
  chatMessages: ExportedChatMessage[] | null;
  pointsHistory: object[] | null;
  /** The parts given as `sections`, by name. */
  more: Record<string, unknown>;
  omitted: Omission[];
}

export function createPersonalDataExport({ database, audit, clock, accounts, orders, chatMessages, pointsHistory, sections = {} }: PersonalDataExportDeps) {
  return {
    /** Gathers the user's data and records the export; throws when the user does not exist. */
    async export(userId: string): Promise<PersonalData> {
      const user = await accounts.findById(userId);
      if (!user) throw new Error(`no user ${userId}`);
      const omitted: Omission[] = [];

      const opened = await orders.shopperOrdersWithAddress(userId, EXPORT_ORDER_LIMIT);
      if (opened.length >= EXPORT_ORDER_LIMIT) omitted.push({ what: "orders", reason: `only the newest ${EXPORT_ORDER_LIMIT} orders are included` });

      const unused = await orders.unusedClaims(userId);
      const used = await orders.usedClaims(userId);

      let chat: ExportedChatMessage[] | null = null;
      if (chatMessages) chat = await chatMessages(userId);
      else omitted.push({ what: "chat_messages", reason: "the live module offers no read of one user's chat messages yet" });

      const points = pointsHistory ? await pointsHistory(userId, POINTS_HISTORY_LIMIT) : null;
      if (points && points.length >= POINTS_HISTORY_LIMIT) omitted.push({ what: "points_history", reason: `only the newest ${POINTS_HISTORY_LIMIT} points entries are included` });

      const more: Record<string, unknown> = {};
      for (const [name, read] of Object.entries(sections)) more[name] = await read(userId);

      const data: PersonalData = {
        format: PERSONAL_DATA_FORMAT,
        exportedAt: clock.now().toISOString(),
        account: { id: user.id, email: user.email, displayName: user.displayName, roles: [...user.roles], locale: user.locale, createdAt: user.createdAt.toISOString() },
        orders: opened,
        afterSalesRequests: opened.flatMap((order) => order.afterSales.map((request) => ({ ...request, orderNumber: order.number }))),
        couponClaims: { unused, used },
        chatMessages: chat,
        pointsHistory: points,
        more,
        omitted,
      };

      await database.write((tx) =>
        audit.record(tx, {
          actor: { type: "user", id: userId },
          action: "personal_data.exported",
          subject: `user:${userId}`,
          data: {
            orders: opened.length,
            afterSalesRequests: data.afterSalesRequests.length,
            couponClaims: unused.length + used.length,
            chatMessages: chat?.length ?? null,
            pointsHistory: points?.length ?? null,
            sections: Object.keys(more),
            omitted: omitted.map((o) => o.what),
          },
        }),
      );
      return data;
    },
  };
}

export type PersonalDataExport = ReturnType<typeof createPersonalDataExport>;
