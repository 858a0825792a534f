// The live module's public surface: live sessions, rooms (tokens, pin, chat, likes, LiveKit events),
// the showcase card, and its pages.
export { createLive, type Live, type LiveSession, type SessionBoard } from "./service.ts";
export { createRooms, CHAT_LIMIT, REMOVED_CHAT_BODY, type Rooms, type ChatLine, type RefusedChat, type RoomEvent, type RoomJoin } from "./room.ts";
export { createShowcase, type Showcase, type ShowcaseCard, type ShowcaseOption, type RunningSale } from "./showcase.ts";
export type { RoomGateway } from "./room-gateway.ts";
export { createLiveKitGateway, LiveKitWebhookRejected, type LiveKitEvent, type LiveKitGateway } from "./livekit.ts";
export { roomRoutes } from "./room-routes.tsx";
export { scheduleRoutes } from "./schedule-routes.tsx";
export { createRoomFeed, type RoomFeed } from "./room-feed.ts";
export { liveRoutes } from "./routes.tsx";
export { createSessionRetention, type SessionRetention } from "./session-retention.ts";
