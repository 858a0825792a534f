// The LiveKit gateway (modules/live/livekit.ts) against a real LiveKit server (livekit-server --dev on
// 127.0.0.1, built from source into .cache/ on first use), with real participants joining through
// LiveKit's Node SDK (@livekit/rtc-node, native WebRTC, runs under Bun): what a viewer's and a host's
// token let them do, that a token is good for its own room only, data packets to a room, removing and
// muting, and webhooks, both LiveKit's own and forged ones.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { AccessToken } from "livekit-server-sdk";
import {
  AudioSource,
  DisconnectReason,
  LocalAudioTrack,
  Room,
  RoomEvent,
  TrackPublishOptions,
  TrackSource,
} from "@livekit/rtc-node";
import {
  DEFAULT_EMPTY_TIMEOUT_SEC,
  LiveKitWebhookRejected,
  MAX_DATA_BYTES,
  createLiveKitGateway,
  liveKitGatewayFrom,
  type LiveKitEvent,
  type LiveKitGateway,
} from "../modules/live/livekit.ts";
import type { RoomGateway } from "../modules/live/index.ts";
import { startLiveKit, type LiveKit } from "./fixtures/livekit.ts";

/** Building livekit-server the first time takes about 100 s on 2 cores; after that it starts in about a second. */
const SETUP_TIMEOUT_MS = 15 * 60_000;
const WAIT_MS = 10_000;
// A test waits up to WAIT_MS for one thing, sometimes for several: more than bun's 5 s default.
setDefaultTimeout(30_000);

interface ReceivedWebhook {
  body: string;
  authorization: string | null;
  /** What receiveWebhook made of it: the event, or why it refused it. */
  verified?: LiveKitEvent;
  rejected?: string;
}

let liveKit: LiveKit;
let gateway: LiveKitGateway;
let webhookServer: ReturnType<typeof Bun.serve>;
const webhooks: ReceivedWebhook[] = [];
const joined: Room[] = [];
let roomCounter = 0;

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const uniqueRoom = (label: string) => `show-${label}-${process.pid}-${++roomCounter}`;

beforeAll(async () => {
  // A tiny HTTP listener standing in for the app's /webhooks/livekit; it verifies what it gets.
  webhookServer = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const received: ReceivedWebhook = { body: await request.text(), authorization: request.headers.get("authorization") };
      webhooks.push(received);
      try {
        received.verified = await gateway.receiveWebhook(received.body, received.authorization);
      } catch (error) {
        received.rejected = error instanceof Error ? error.message : String(error);
      }
      return new Response(null, { status: received.verified ? 200 : 401 });
    },
  });
  liveKit = await startLiveKit({ webhookUrl: `http://127.0.0.1:${webhookServer.port}/webhooks/livekit` });
  gateway = createLiveKitGateway({ url: liveKit.url, apiKey: liveKit.apiKey, apiSecret: liveKit.apiSecret });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled(joined.map((room) => room.disconnect()));
  // Not rtc-node's dispose(): test files share one process, and it would end rtc-node for the others.
  await liveKit?.stop();
  webhookServer?.stop(true);
});

/** A participant connected with `token`, with what it has received. */
interface Participant {
  room: Room;
  data: { text: string; topic: string | undefined; from: string | undefined; at: number }[];
  trackPublishedBy: string[];
  disconnected?: DisconnectReason;
}

async function join(token: string): Promise<Participant> {
  const room = new Room();
  const participant: Participant = { room, data: [], trackPublishedBy: [] };
  room.on(RoomEvent.DataReceived, (payload, from, _kind, topic) => {
    participant.data.push({ text: decoder.decode(payload), topic, from: from?.identity, at: performance.now() });
  });
  room.on(RoomEvent.TrackPublished, (_publication, from) => participant.trackPublishedBy.push(from.identity));
  room.on(RoomEvent.Disconnected, (reason) => (participant.disconnected = reason));
  await room.connect(liveKit.url, token, { autoSubscribe: true, dynacast: false });
  joined.push(room);
  return participant;
}

/** Resolves with what `promise` gives, or with "timed out" after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | "timed out"> {
  return Promise.race([promise, new Promise<"timed out">((resolve) => setTimeout(() => resolve("timed out"), ms))]);
}

async function eventually<T>(check: () => T | Promise<T>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await Bun.sleep(25);
    }
  }
}

function microphoneTrack(): LocalAudioTrack {
  return LocalAudioTrack.createAudioTrack("microphone", new AudioSource(48_000, 1));
}

const microphone = () => new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE });

/** A token made here rather than by the gateway, for what the gateway never issues. */
async function customToken(room: string, identity: string, grant: { canPublish?: boolean; canPublishData?: boolean; canSubscribe?: boolean }, secret = liveKit.apiSecret) {
  const token = new AccessToken(liveKit.apiKey, secret, { identity, ttl: 600 });
  token.addGrant({ room, roomJoin: true, ...grant });
  return token.toJwt();
}

/** An HS256 JWT with any claims, for forgeries the SDK would not make (expired, wrong issuer…). */
async function signJwt(claims: Record<string, unknown>, secret: string): Promise<string> {
  const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
  const header = base64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const payload = base64url(encoder.encode(JSON.stringify(claims)));
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`${header}.${payload}`)));
  return `${header}.${payload}.${base64url(signature)}`;
}

async function sha256Base64(body: string): Promise<string> {
  return Buffer.from(await crypto.subtle.digest("SHA-256", encoder.encode(body))).toString("base64");
}

/** Signs a webhook body as LiveKit does: a token from the API key whose sha256 claim is the body's checksum. */
async function signWebhook(body: string, apiKey = liveKit.apiKey, apiSecret = liveKit.apiSecret): Promise<string> {
  const token = new AccessToken(apiKey, apiSecret, { ttl: "5m" });
  token.sha256 = await sha256Base64(body);
  return token.toJwt();
}

describe("LiveKit gateway", () => {
  test("fits the live module's RoomGateway, and is null when no LiveKit is configured", () => {
    const roomGateway: RoomGateway = gateway;
    expect(roomGateway.url).toBe(liveKit.url);
    expect(liveKitGatewayFrom({})).toBeNull();
    expect(liveKitGatewayFrom({ url: "", apiKey: "k", apiSecret: "s" })).toBeNull();
    expect(() => liveKitGatewayFrom({ url: liveKit.url })).toThrow(/LIVEKIT_API_KEY/);
    expect(liveKitGatewayFrom({ url: liveKit.httpUrl, apiKey: liveKit.apiKey, apiSecret: liveKit.apiSecret })?.url).toBe(liveKit.url);
  });

  test("ensureRoom creates a room once, with its limits, and a full room turns the next viewer away", async () => {
    const name = uniqueRoom("ensure");
    const first = await gateway.ensureRoom(name, { emptyTimeoutSec: 120, maxParticipants: 1 });
    expect(first).toMatchObject({ name, emptyTimeoutSec: 120, maxParticipants: 1, numParticipants: 0 });
    expect(first.sid).toMatch(/^RM_/);
    expect((await gateway.ensureRoom(name, { emptyTimeoutSec: 120, maxParticipants: 1 })).sid).toBe(first.sid);
    expect((await gateway.ensureRoom(uniqueRoom("default"))).emptyTimeoutSec).toBe(DEFAULT_EMPTY_TIMEOUT_SEC);

    await join(await gateway.viewerToken(name, "viewer-1", "Viewer 1"));
    await expect(join(await gateway.viewerToken(name, "viewer-2", "Viewer 2"))).rejects.toThrow();
    expect((await gateway.listParticipants(name)).map((p) => p.identity)).toEqual(["viewer-1"]);
    expect(await gateway.listParticipants(uniqueRoom("never-created"))).toEqual([]);
  });

  test("a viewer token cannot publish media or data; a host token publishes media but no data", async () => {
    const name = uniqueRoom("publish");
    await gateway.ensureRoom(name);
    const watcher = await join(await gateway.viewerToken(name, "watcher", "Watcher"));
    const host = await join(await gateway.hostToken(name, "host", "Host Lin"));
    const viewer = await join(await gateway.viewerToken(name, "viewer", "Viewer"));

    // The host's microphone goes through (so the refusal below is the token's doing, not the setup's).
    const hostPublication = await within(host.room.localParticipant!.publishTrack(microphoneTrack(), microphone()), WAIT_MS);
    expect(hostPublication).not.toBe("timed out");
    await eventually(() => expect(watcher.trackPublishedBy).toContain("host"));

    // The viewer's does not: LiveKit refuses the request (and says so in its log); the SDK is left waiting.
    let outcome = "pending";
    void viewer.room.localParticipant!.publishTrack(microphoneTrack(), microphone()).then(
      () => (outcome = "published"),
      (error: unknown) => (outcome = `refused: ${error instanceof Error ? error.message : String(error)}`),
    );
    const refusal = new RegExp(`no permission to publish track.*"room": "${name}".*"participant": "viewer"`);
    await eventually(() => expect(liveKit.output()).toMatch(refusal));
    await Bun.sleep(200);
    expect(outcome).not.toBe("published");

    const participants = await gateway.listParticipants(name);
    const byIdentity = new Map(participants.map((p) => [p.identity, p]));
    expect(byIdentity.get("viewer")).toMatchObject({ name: "Viewer", canPublish: false, canPublishData: false, canSubscribe: true, tracks: [] });
    expect(byIdentity.get("host")).toMatchObject({ name: "Host Lin", canPublish: true, canPublishData: false, canSubscribe: true });
    expect(byIdentity.get("host")!.tracks).toMatchObject([{ kind: "audio", source: "microphone", muted: false }]);
    expect(watcher.trackPublishedBy).not.toContain("viewer");

    // Data: neither the viewer's nor the host's packets reach anyone; a token allowed to send data does.
    await viewer.room.localParticipant!.publishData(encoder.encode("from the viewer"), { reliable: true, topic: "chat" });
    await host.room.localParticipant!.publishData(encoder.encode("from the host"), { reliable: true, topic: "chat" });
    const sender = await join(await customToken(name, "data-sender", { canPublishData: true, canPublish: false }));
    await sender.room.localParticipant!.publishData(encoder.encode("from a data sender"), { reliable: true, topic: "chat" });
    await eventually(() => expect(watcher.data.map((d) => d.text)).toContain("from a data sender"));
    await Bun.sleep(300);
    expect(watcher.data.map((d) => d.text)).toEqual(["from a data sender"]);
    expect(host.data.map((d) => d.text)).toEqual(["from a data sender"]);
  });

  test("a token for room A cannot join room B", async () => {
    const roomA = uniqueRoom("a");
    const roomB = uniqueRoom("b");
    await gateway.ensureRoom(roomA);
    await gateway.ensureRoom(roomB);
    const tokenA = await gateway.viewerToken(roomA, "visitor", "Visitor");

    // The room is the token's: connecting with A's token lands in A whatever the client asks for.
    await join(tokenA);
    expect((await gateway.listParticipants(roomA)).map((p) => p.identity)).toEqual(["visitor"]);
    expect(await gateway.listParticipants(roomB)).toEqual([]);

    // A's token with its room claim changed to B (signature kept) is refused.
    const [header, payload, signature] = tokenA.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    expect(claims.video).toMatchObject({ room: roomA, roomJoin: true, canPublish: false, canPublishData: false });
    claims.video.room = roomB;
    claims.sub = "intruder";
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    await expect(join(tampered)).rejects.toThrow(/401|invalid|unauthori/i);

    // So is a token for B signed with another secret.
    await expect(join(await customToken(roomB, "intruder", { canSubscribe: true }, "not-the-livekit-secret"))).rejects.toThrow(/401|invalid|unauthori/i);
    expect(await gateway.listParticipants(roomB)).toEqual([]);

    // And the gateway issues no token without a room (a token naming no room would let the client choose).
    await expect(gateway.viewerToken("", "visitor", "Visitor")).rejects.toThrow(RangeError);
    await expect(gateway.hostToken("", "host", "Host")).rejects.toThrow(RangeError);
  });

  test("sendData reaches subscribed participants as JSON on its topic, or only those it names", async () => {
    const name = uniqueRoom("data");
    await gateway.ensureRoom(name);
    const viewer = await join(await gateway.viewerToken(name, "viewer", "Viewer"));
    const other = await join(await gateway.viewerToken(name, "other", "Other"));

    const payload = { kind: "pinned", productId: "p_123", title: "明前龙井 50g", stockLeft: 12 };
    expect(await gateway.sendData(name, "room", payload)).toBe(true);
    await eventually(() => expect(viewer.data).toHaveLength(1));
    expect(viewer.data[0]).toMatchObject({ topic: "room" });
    expect(JSON.parse(viewer.data[0]!.text)).toEqual(payload);
    await eventually(() => expect(other.data).toHaveLength(1));

    await gateway.sendData(name, "private", { to: "other" }, { to: ["other"] });
    await eventually(() => expect(other.data).toHaveLength(2));
    await Bun.sleep(200);
    expect(viewer.data).toHaveLength(1);

    // Latency from the server call (a room look-up, then the send) to the participant's event, over loopback.
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = viewer.data.length;
      const sentAt = performance.now();
      await gateway.sendData(name, "latency", { i });
      const received = await eventually(() => {
        const packet = viewer.data[before];
        if (!packet) throw new Error("not yet");
        return packet;
      });
      samples.push(received.at - sentAt);
    }
    samples.sort((a, b) => a - b);
    console.log(`sendData → participant latency over 10 packets: min ${samples[0]!.toFixed(1)} ms, median ${samples[5]!.toFixed(1)} ms, max ${samples[9]!.toFixed(1)} ms`);

    await expect(gateway.sendData(name, "big", { text: "x".repeat(MAX_DATA_BYTES) })).rejects.toThrow(RangeError);

    // A room that is not running: nothing to send to, and no 3 s wait for LiveKit to say so.
    const startedAt = performance.now();
    expect(await gateway.sendData(uniqueRoom("not-running"), "room", payload)).toBe(false);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
  });

  test("removeParticipant disconnects a participant; mutePublishedTracks mutes what they publish", async () => {
    const name = uniqueRoom("remove");
    await gateway.ensureRoom(name);
    const host = await join(await gateway.hostToken(name, "host", "Host"));
    const viewer = await join(await gateway.viewerToken(name, "viewer", "Viewer"));
    expect(await within(host.room.localParticipant!.publishTrack(microphoneTrack(), microphone()), WAIT_MS)).not.toBe("timed out");
    await eventually(async () => expect((await gateway.listParticipants(name)).find((p) => p.identity === "host")?.tracks).toHaveLength(1));

    expect(await gateway.mutePublishedTracks(name, "host")).toBe(1);
    await eventually(async () => expect((await gateway.listParticipants(name)).find((p) => p.identity === "host")?.tracks[0]?.muted).toBe(true));
    expect(await gateway.mutePublishedTracks(name, "host")).toBe(0); // already muted
    expect(await gateway.mutePublishedTracks(name, "nobody")).toBe(0);

    expect(await gateway.removeParticipant(name, "viewer")).toBe(true);
    await eventually(() => expect(viewer.disconnected).toBe(DisconnectReason.PARTICIPANT_REMOVED));
    await eventually(async () => expect((await gateway.listParticipants(name)).map((p) => p.identity)).toEqual(["host"]));
    expect(await gateway.removeParticipant(name, "viewer")).toBe(false);
    expect(host.disconnected).toBeUndefined();
  });

  test("LiveKit's own webhooks (room_started, participant_joined) arrive and verify", async () => {
    const name = uniqueRoom("webhooks");
    await gateway.ensureRoom(name);
    await join(await gateway.viewerToken(name, "viewer", "Viewer"));
    const forRoom = () => webhooks.filter((w) => w.verified?.room?.name === name).map((w) => w.verified!);
    await eventually(() => expect(forRoom().map((e) => e.event)).toEqual(expect.arrayContaining(["room_started", "participant_joined"])));
    const joinedEvent = forRoom().find((e) => e.event === "participant_joined")!;
    expect(joinedEvent.participant).toMatchObject({ identity: "viewer", name: "Viewer" });
    expect(joinedEvent.id).toMatch(/^EV_/);
    expect(Math.abs(joinedEvent.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(webhooks.filter((w) => w.rejected)).toEqual([]); // every webhook LiveKit sent verified
    expect(webhooks.every((w) => w.authorization && !w.authorization.startsWith("Bearer"))).toBe(true);
  });

  test("a forged webhook is rejected; a correctly signed one is accepted", async () => {
    const body = JSON.stringify({ event: "participant_joined", id: "EV_test", createdAt: String(Math.floor(Date.now() / 1000)), room: { name: "show-1", sid: "RM_test" }, participant: { identity: "viewer", sid: "PA_test", name: "Viewer" } });
    const good = await signWebhook(body);
    const accepted = await gateway.receiveWebhook(body, good);
    expect(accepted).toMatchObject({ event: "participant_joined", id: "EV_test", room: { name: "show-1", sid: "RM_test" }, participant: { identity: "viewer" } });
    expect((await gateway.receiveWebhook(body, `Bearer ${good}`)).event).toBe("participant_joined");

    const rejected = async (rawBody: string, authorization: string | null) => {
      try {
        await gateway.receiveWebhook(rawBody, authorization);
      } catch (error) {
        expect(error).toBeInstanceOf(LiveKitWebhookRejected);
        return (error as LiveKitWebhookRejected).reason;
      }
      throw new Error("the webhook was accepted");
    };
    const now = Math.floor(Date.now() / 1000);
    const sha256 = await sha256Base64(body);

    expect(await rejected(body, null)).toMatch(/no Authorization/);
    expect(await rejected(body, "not-a-token")).toMatch(/not a signed token/);
    expect(await rejected(body, await signWebhook(body, liveKit.apiKey, "another-secret"))).toMatch(/signature does not match/);
    expect(await rejected(body, await signWebhook(body, "another-key"))).toMatch(/claims do not match/);
    expect(await rejected(body.replace('"identity":"viewer"', '"identity":"admin"'), good)).toMatch(/body does not match/);
    expect(await rejected(`${body} `, good)).toMatch(/body does not match/);
    expect(await rejected(body, await signJwt({ iss: liveKit.apiKey, nbf: now - 3_600, exp: now - 1_800, sha256 }, liveKit.apiSecret))).toMatch(/expired/);
    expect(await rejected(body, await signJwt({ iss: liveKit.apiKey, nbf: now, sha256 }, liveKit.apiSecret))).toMatch(/claims do not match/); // no exp
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${Buffer.from(JSON.stringify({ iss: liveKit.apiKey, exp: now + 300, sha256 })).toString("base64url")}.`;
    expect(await rejected(body, unsigned)).toBeTruthy();
  });
});
