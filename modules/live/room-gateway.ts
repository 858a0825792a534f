// What a live room needs of the video server: the parts of the LiveKit gateway (livekit.ts) the room
// service uses. Null where no LiveKit server is configured: pages then say so.
import type { LiveKitGateway } from "./livekit.ts";

export type RoomGateway = Pick<LiveKitGateway, "url" | "ensureRoom" | "hostToken" | "viewerToken" | "sendData" | "removeParticipant" | "receiveWebhook">;
