// The live module's gateway to LiveKit, over livekit-server-sdk: rooms, join tokens, data packets to a
// room, removing or muting a participant, and LiveKit's signed webhooks. Runtime-neutral: the SDK speaks
// to LiveKit's server API with fetch and signs with Web Crypto (jose), so this runs on Bun, Node and
// Cloudflare Workers alike; nothing here imports node: or bun: modules.
//
// Who may do what (the tokens are the whole of it: LiveKit enforces them):
// - a host joins their own show's room only, and publishes camera, microphone and screen; they send no
//   data packets (room fan-out goes through the server: chat is an HTTP request, moderated first).
// - a viewer joins one room only and subscribes; they publish nothing, neither media nor data.
// - neither is a room admin: removing or muting someone is a server call, made on the host's behalf.
import {
  AccessToken,
  DataPacket_Kind,
  ParticipantInfo_State,
  RoomServiceClient,
  ServerError,
  TrackSource,
  TrackType,
  WebhookReceiver,
  type ParticipantInfo,
  type Room,
  type TrackInfo,
  type VideoGrant,
  type WebhookEvent,
  type WebhookEventNames,
} from "livekit-server-sdk";

/** A host's token is good for joining for 6 hours (a long show); LiveKit refreshes it while connected. */
export const HOST_TOKEN_TTL_SECONDS = 6 * 60 * 60;
/** A viewer's token is good for joining for 2 hours; a viewer who comes back later asks for a new one. */
export const VIEWER_TOKEN_TTL_SECONDS = 2 * 60 * 60;
/** LiveKit's advice for reliable data packets: stay under 15 KiB so every client receives them. */
export const MAX_DATA_BYTES = 15 * 1024;
/** A room nobody has joined closes after 10 minutes (a host who reloads the studio has time to come back). */
export const DEFAULT_EMPTY_TIMEOUT_SEC = 10 * 60;
/** LiveKit's default limit for room names and participant identities. */
const MAX_NAME_LENGTH = 256;

export interface LiveKitSettings {
  /** The LiveKit server clients connect to: `wss://…` (or `ws://127.0.0.1:7880` locally); http(s) also accepted. */
  url: string;
  apiKey: string;
  apiSecret: string;
  /** Seconds to wait for LiveKit's server API; 10 unless told. */
  requestTimeoutSec?: number;
}

export interface EnsureRoomOptions {
  /** Seconds the room stays open while nobody is in it (before the first join); DEFAULT_EMPTY_TIMEOUT_SEC unless told. */
  emptyTimeoutSec?: number;
  /** At most this many participants at once (hosts and viewers together); no limit unless told. */
  maxParticipants?: number;
  /** Seconds the room stays open after the last participant leaves; LiveKit's default (20) unless told. */
  departureTimeoutSec?: number;
}

export interface LiveKitRoom {
  name: string;
  sid: string;
  emptyTimeoutSec: number;
  maxParticipants: number;
  numParticipants: number;
  createdAt: Date;
}

export type LiveKitTrackKind = "audio" | "video" | "data";
export type LiveKitTrackSource = "camera" | "microphone" | "screen_share" | "screen_share_audio" | "unknown";

export interface LiveKitTrack {
  sid: string;
  kind: LiveKitTrackKind;
  source: LiveKitTrackSource;
  muted: boolean;
}

export interface LiveKitParticipant {
  sid: string;
  identity: string;
  name: string;
  state: "joining" | "joined" | "active" | "disconnected";
  joinedAt: Date;
  canPublish: boolean;
  canSubscribe: boolean;
  canPublishData: boolean;
  tracks: LiveKitTrack[];
}

/** A webhook from LiveKit whose signature and body checksum were verified. */
export interface LiveKitEvent {
  id: string;
  event: Exclude<WebhookEventNames, "">;
  createdAt: Date;
  room?: { name: string; sid: string; numParticipants: number };
  participant?: { identity: string; sid: string; name: string };
  track?: LiveKitTrack;
  /** Everything LiveKit sent, as the SDK parsed it. */
  raw: WebhookEvent;
}

/** A webhook that is not from our LiveKit (bad or missing signature, wrong key, tampered body, expired). */
export class LiveKitWebhookRejected extends Error {
  constructor(readonly reason: string) {
    super(`LiveKit webhook rejected: ${reason}`);
    this.name = "LiveKitWebhookRejected";
  }
}

export interface SendDataOptions {
  /** Only these participant identities receive it; the whole room unless told. */
  to?: string[];
}

export interface LiveKitGateway {
  /** The URL clients connect to (ws:// or wss://). */
  readonly url: string;
  /**
   * Creates the room, or returns it if it exists (LiveKit's CreateRoom is idempotent). A room that nobody
   * joins closes after DEFAULT_EMPTY_TIMEOUT_SEC unless told otherwise.
   */
  ensureRoom(roomName: string, options?: EnsureRoomOptions): Promise<LiveKitRoom>;
  /** A join token for the show's host: publish media in this room only; no data packets, no admin. */
  hostToken(roomName: string, identity: string, name: string): Promise<string>;
  /** A join token for a viewer: subscribe in this room only; publishes nothing. */
  viewerToken(roomName: string, identity: string, name: string): Promise<string>;
  /**
   * Sends `payload` as JSON to everyone in the room (or to `options.to`), reliably, on `topic`. False,
   * and nothing sent, when the room is not running (never created, or closed after its empty timeout):
   * LiveKit would otherwise hold such a call 3 s before failing, so the room is looked up first (one
   * more short server call).
   */
  sendData(roomName: string, topic: string, payload: unknown, options?: SendDataOptions): Promise<boolean>;
  /** Disconnects a participant; false when they were not in the room. Their token still lets them rejoin. */
  removeParticipant(roomName: string, identity: string): Promise<boolean>;
  /** Mutes every track the participant publishes; the number of tracks muted (0 when not in the room). */
  mutePublishedTracks(roomName: string, identity: string): Promise<number>;
  /** Who is in the room now ([] when the room does not exist). */
  listParticipants(roomName: string): Promise<LiveKitParticipant[]>;
  /**
   * Verifies a webhook as LiveKit signs it (a JWT from our API key in the Authorization header whose
   * sha256 claim is the body's checksum) and parses it; throws LiveKitWebhookRejected otherwise.
   * `rawBody` must be the body exactly as received.
   */
  receiveWebhook(rawBody: string, authorization: string | null | undefined): Promise<LiveKitEvent>;
}

export function createLiveKitGateway(settings: LiveKitSettings): LiveKitGateway {
  const { apiKey, apiSecret } = settings;
  if (!apiKey || !apiSecret) throw new Error("LiveKit needs an API key and secret");
  const url = clientUrl(settings.url);
  const rooms = new RoomServiceClient(apiUrl(url), apiKey, apiSecret, { requestTimeout: settings.requestTimeoutSec ?? 10, failover: false });
  const webhooks = new WebhookReceiver(apiKey, apiSecret);
  const encoder = new TextEncoder();

  const joinToken = async (roomName: string, identity: string, name: string, ttl: number, grant: Omit<VideoGrant, "room" | "roomJoin">, role: string) => {
    checkName("room name", roomName);
    checkName("identity", identity);
    const token = new AccessToken(apiKey, apiSecret, { identity, name, ttl, attributes: { role } });
    token.addGrant({
      room: roomName,
      roomJoin: true,
      roomCreate: false,
      roomList: false,
      roomRecord: false,
      roomAdmin: false,
      ingressAdmin: false,
      canUpdateOwnMetadata: false,
      hidden: false,
      recorder: false,
      agent: false,
      ...grant,
    });
    return token.toJwt();
  };

  const getParticipant = async (roomName: string, identity: string): Promise<ParticipantInfo | undefined> => {
    try {
      return await rooms.getParticipant(roomName, identity);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };

  return {
    url,

    async ensureRoom(roomName, options = {}) {
      checkName("room name", roomName);
      const room = await rooms.createRoom({
        name: roomName,
        emptyTimeout: options.emptyTimeoutSec ?? DEFAULT_EMPTY_TIMEOUT_SEC,
        ...(options.maxParticipants !== undefined ? { maxParticipants: options.maxParticipants } : {}),
        ...(options.departureTimeoutSec !== undefined ? { departureTimeout: options.departureTimeoutSec } : {}),
      });
      return toRoom(room);
    },

    hostToken: (roomName, identity, name) =>
      joinToken(roomName, identity, name, HOST_TOKEN_TTL_SECONDS, { canPublish: true, canSubscribe: true, canPublishData: false }, "host"),

    viewerToken: (roomName, identity, name) =>
      joinToken(roomName, identity, name, VIEWER_TOKEN_TTL_SECONDS, { canPublish: false, canSubscribe: true, canPublishData: false }, "viewer"),

    async sendData(roomName, topic, payload, options = {}) {
      checkName("room name", roomName);
      const json = JSON.stringify(payload);
      if (json === undefined) throw new TypeError("sendData: the payload must be JSON-serialisable");
      const data = encoder.encode(json);
      if (data.byteLength > MAX_DATA_BYTES) throw new RangeError(`sendData: ${data.byteLength} bytes is more than ${MAX_DATA_BYTES} for one data packet`);
      if ((await rooms.listRooms([roomName])).length === 0) return false;
      try {
        await rooms.sendData(roomName, data, DataPacket_Kind.RELIABLE, { topic, ...(options.to ? { destinationIdentities: options.to } : {}) });
      } catch (error) {
        // The room closed between the look-up and the send.
        if (error instanceof ServerError && error.status === 503 && (await rooms.listRooms([roomName])).length === 0) return false;
        throw error;
      }
      return true;
    },

    async removeParticipant(roomName, identity) {
      try {
        await rooms.removeParticipant(roomName, identity);
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },

    async mutePublishedTracks(roomName, identity) {
      const participant = await getParticipant(roomName, identity);
      if (!participant) return 0;
      let muted = 0;
      for (const track of participant.tracks) {
        if (track.type === TrackType.DATA || track.muted) continue;
        try {
          await rooms.mutePublishedTrack(roomName, identity, track.sid, true);
          muted++;
        } catch (error) {
          if (!isNotFound(error)) throw error; // unpublished or left meanwhile
        }
      }
      return muted;
    },

    async listParticipants(roomName) {
      try {
        return (await rooms.listParticipants(roomName)).map(toParticipant);
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
    },

    async receiveWebhook(rawBody, authorization) {
      const token = authorization?.replace(/^Bearer\s+/i, "").trim();
      if (!token) throw new LiveKitWebhookRejected("no Authorization header");
      let event: WebhookEvent;
      try {
        event = await webhooks.receive(rawBody, token);
      } catch (error) {
        throw new LiveKitWebhookRejected(rejectionReason(error));
      }
      if (!event.event) throw new LiveKitWebhookRejected("no event name in the body");
      return toEvent(event);
    },
  };
}

/**
 * The gateway for the configured LiveKit, or null when none is configured (no URL): the app then runs
 * without broadcasting, and live pages say so. A URL without its key and secret is a configuration error.
 */
export function liveKitGatewayFrom(settings: Partial<LiveKitSettings>): LiveKitGateway | null {
  if (!settings.url) return null;
  if (!settings.apiKey || !settings.apiSecret) throw new Error("LIVEKIT_URL is set but LIVEKIT_API_KEY or LIVEKIT_API_SECRET is not");
  return createLiveKitGateway({ ...settings, url: settings.url, apiKey: settings.apiKey, apiSecret: settings.apiSecret });
}

function clientUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol === "http:") parsed.protocol = "ws:";
  else if (parsed.protocol === "https:") parsed.protocol = "wss:";
  else if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") throw new Error(`LiveKit URL must be ws(s):// or http(s):// (got ${parsed.protocol})`);
  return parsed.toString().replace(/\/$/, "");
}

function apiUrl(wsUrl: string): string {
  return wsUrl.replace(/^ws/, "http");
}

function checkName(what: string, value: string): void {
  if (!value) throw new RangeError(`LiveKit ${what} must not be empty`);
  if (value.length > MAX_NAME_LENGTH) throw new RangeError(`LiveKit ${what} is longer than ${MAX_NAME_LENGTH} characters`);
}

function isNotFound(error: unknown): boolean {
  return error instanceof ServerError && (error.status === 404 || error.code === "not_found");
}

function rejectionReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return "the signature does not match our API secret";
    case "ERR_JWT_EXPIRED":
      return "the signature has expired";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      return `the token's claims do not match (${message})`;
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
      return "the Authorization header is not a signed token";
  }
  if (/sha256/.test(message)) return "the body does not match the signed checksum";
  if (error instanceof SyntaxError) return "the body is not JSON";
  return message;
}

function toRoom(room: Room): LiveKitRoom {
  return {
    name: room.name,
    sid: room.sid,
    emptyTimeoutSec: room.emptyTimeout,
    maxParticipants: room.maxParticipants,
    numParticipants: room.numParticipants,
    createdAt: new Date(Number(room.creationTime) * 1000),
  };
}

const participantStates = {
  [ParticipantInfo_State.JOINING]: "joining",
  [ParticipantInfo_State.JOINED]: "joined",
  [ParticipantInfo_State.ACTIVE]: "active",
  [ParticipantInfo_State.DISCONNECTED]: "disconnected",
} as const;

function toParticipant(participant: ParticipantInfo): LiveKitParticipant {
  return {
    sid: participant.sid,
    identity: participant.identity,
    name: participant.name,
    state: participantStates[participant.state],
    joinedAt: new Date(Number(participant.joinedAt) * 1000),
    canPublish: participant.permission?.canPublish ?? false,
    canSubscribe: participant.permission?.canSubscribe ?? false,
    canPublishData: participant.permission?.canPublishData ?? false,
    tracks: participant.tracks.map(toTrack),
  };
}

function toTrack(track: TrackInfo): LiveKitTrack {
  return {
    sid: track.sid,
    kind: track.type === TrackType.AUDIO ? "audio" : track.type === TrackType.VIDEO ? "video" : "data",
    source:
      track.source === TrackSource.CAMERA
        ? "camera"
        : track.source === TrackSource.MICROPHONE
          ? "microphone"
          : track.source === TrackSource.SCREEN_SHARE
            ? "screen_share"
            : track.source === TrackSource.SCREEN_SHARE_AUDIO
              ? "screen_share_audio"
              : "unknown",
    muted: track.muted,
  };
}

function toEvent(event: WebhookEvent): LiveKitEvent {
  return {
    id: event.id,
    event: event.event as LiveKitEvent["event"],
    createdAt: new Date(Number(event.createdAt) * 1000),
    ...(event.room ? { room: { name: event.room.name, sid: event.room.sid, numParticipants: event.room.numParticipants } } : {}),
    ...(event.participant ? { participant: { identity: event.participant.identity, sid: event.participant.sid, name: event.participant.name } } : {}),
    ...(event.track ? { track: toTrack(event.track) } : {}),
    raw: event,
  };
}
