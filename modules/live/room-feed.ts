// What the room hears about besides its own actions: an order placed from it (the purchase ticker,
// the host's order count and sales, the card's stock), and changes to the pinned card.
import type { Order } from "../orders/index.ts";
import type { Rooms } from "./room.ts";
import type { Showcase } from "./showcase.ts";
import { maskDisplayName } from "../../src/platform/masking.ts";

export interface RoomFeedDeps {
  rooms: Rooms;
  showcase: Showcase;
  figures: (sessionId: string) => Promise<{ orders: number; gmvFen: number }>;
  currencyOf: (sessionId: string) => Promise<string>;
  displayName: (userId: string) => Promise<string>;
}

export function createRoomFeed({ rooms, showcase, figures, currencyOf, displayName }: RoomFeedDeps) {
  async function pushCard(sessionId: string) {
    const { pinnedProductId } = await rooms.stats(sessionId);
    await rooms.broadcast(sessionId, "card", await showcase.card(sessionId, pinnedProductId));
  }

  return {
    pushCard,

    async orderPlaced(order: Order) {
      const sessionId = order.liveSessionId;
      if (!sessionId) return;
      const [totals, currency, buyer] = await Promise.all([figures(sessionId), currencyOf(sessionId), displayName(order.userId)]);
      const line = order.lines[0];
      await rooms.broadcast(sessionId, "order", {
        orders: totals.orders,
        gmvFen: totals.gmvFen,
        currency,
        buyer: maskDisplayName(buyer),
        productZh: line?.titleZh ?? "",
        productEn: line?.titleEn ?? "",
      });
      await pushCard(sessionId);
    },
  };
}

export type RoomFeed = ReturnType<typeof createRoomFeed>;
