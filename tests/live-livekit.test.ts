// A live room through the real app and a real LiveKit server: going live creates the room, the app's
// tokens let the host and a viewer in, LiveKit's own webhooks (verified) keep the viewer count, a
// forged webhook is refused, a chat message and a pin reach the viewer as data packets, and a removed
// viewer is disconnected. The app listens on a port so LiveKit can deliver its webhooks to it.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { AccessToken } from "livekit-server-sdk";
import { Room, RoomEvent } from "@livekit/rtc-node";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { createLiveKitGateway } from "../modules/live/index.ts";
import { newShopper } from "./fixtures/commerce.ts";
import { startLiveKit, type LiveKit } from "./fixtures/livekit.ts";
import { fastTestPasswords, startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

let liveKit: LiveKit;
let app: TestApp;
let listener: ReturnType<typeof Bun.serve>;
let host: TestClient;
let sessionId: string;
const rooms: Room[] = [];

beforeAll(async () => {
  // The app's port first, so LiveKit can be told where its webhooks go; the app is attached after.
  let fetchApp: (request: Request) => Response | Promise<Response> = () => new Response("starting", { status: 503 });
  listener = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => fetchApp(request) });
  liveKit = await startLiveKit({ webhookUrl: `http://127.0.0.1:${listener.port}/webhooks/livekit` });
  app = await startTestApp({ passwords: fastTestPasswords(), roomGateway: createLiveKitGateway({ url: liveKit.url, apiKey: liveKit.apiKey, apiSecret: liveKit.apiSecret }) });
  fetchApp = (request) => app.app.fetch(request);
  host = app.client();
  await host.signIn("host.lin@demo.broadcart.test", DEMO_PASSWORD);
  sessionId = (await app.services.live.board(10)).upcoming.find((session) => session.host.name === "林小夏")!.id;
}, 300_000);

afterAll(async () => {
  // Not rtc-node's dispose(): test files share one process, and it would end rtc-node for the others.
  await Promise.allSettled(rooms.map((room) => room.disconnect()));
  app?.close();
  listener?.stop(true);
  await liveKit?.stop();
});

async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await Bun.sleep(100);
  }
}

/** POSTs to a join route as the page's script does (CSRF header, JSON answer). */
async function joinGrant(client: TestClient, path: string): Promise<{ url: string; token: string; identity: string; roomName: string }> {
  const response = await client.request(path, { method: "POST", headers: { accept: "application/json", "x-csrf-token": client.csrfToken! } });
  expect(response.status).toBe(200);
  return (await response.json()) as { url: string; token: string; identity: string; roomName: string };
}

async function connect(grant: { url: string; token: string }) {
  const room = new Room();
  const packets: { topic: string | undefined; payload: unknown }[] = [];
  room.on(RoomEvent.DataReceived, (payload, _from, _kind, topic) => packets.push({ topic, payload: JSON.parse(new TextDecoder().decode(payload)) }));
  await room.connect(grant.url, grant.token, { autoSubscribe: true, dynacast: false });
  rooms.push(room);
  return { room, packets };
}

const viewersNow = async () => Number((await app.database.client.execute({ sql: "SELECT viewers_now FROM live_sessions WHERE id = ?", args: [sessionId] })).rows[0]![0]);

describe("a live room on LiveKit", () => {
  it("goes live, lets the host publish and a viewer watch, counts the viewer from LiveKit's webhooks", async () => {
    await host.get(`/studio/${sessionId}`);
    expect((await host.post(`/studio/${sessionId}/go-live`, {})).status).toBe(303);
    await host.get(`/studio/${sessionId}`);
    const hostGrant = await joinGrant(host, `/studio/${sessionId}/join`);
    expect(hostGrant.roomName).toBe(sessionId);
    await connect(hostGrant);

    const { client } = await newShopper(app, "viewer");
    await client.get(`/live/${sessionId}`);
    const viewerGrant = await joinGrant(client, `/live/${sessionId}/join`);
    const viewer = await connect(viewerGrant);
    const grants = JSON.parse(Buffer.from(viewerGrant.token.split(".")[1]!, "base64url").toString()) as { video: Record<string, unknown> };
    expect(grants.video).toMatchObject({ room: sessionId, roomJoin: true, canSubscribe: true, canPublish: false, canPublishData: false });
    await eventually(async () => (await viewersNow()) === 1);

    // A viewer's chat message reaches the room as a data packet.
    expect((await client.post(`/live/${sessionId}/chat`, { body: "主播好！" }, { htmx: true })).status).toBe(200);
    await eventually(() => viewer.packets.some((p) => p.topic === "chat" && (p.payload as { body: string }).body === "主播好！"));

    // The host pins a product: the card arrives as a packet.
    const productId = (await app.services.live.getSession(sessionId)).productIds[0]!;
    expect((await host.post(`/studio/${sessionId}/pin`, { productId }, { htmx: true })).status).toBe(200);
    await eventually(() => viewer.packets.some((p) => p.topic === "card" && (p.payload as { productId: string }).productId === productId));

    // Removing the viewer disconnects them, and they cannot come back.
    const viewerId = viewerGrant.identity;
    const gone = new Promise<void>((resolve) => viewer.room.once(RoomEvent.Disconnected, () => resolve()));
    expect((await host.post(`/studio/${sessionId}/remove`, { userId: viewerId }, { htmx: true })).status).toBe(204);
    await gone;
    const again = await client.request(`/live/${sessionId}/join`, { method: "POST", headers: { accept: "application/json", "x-csrf-token": client.csrfToken! } });
    expect(again.status).toBe(403);
    await eventually(async () => (await viewersNow()) === 0);
  }, 60_000);

  it("refuses a forged LiveKit webhook and ignores a redelivered one", async () => {
    const body = JSON.stringify({ event: "participant_joined", id: "EV_forged_1", createdAt: Math.floor(Date.now() / 1000), room: { name: sessionId }, participant: { identity: "intruder" } });
    const digest = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body))).toString("base64");
    const forger = new AccessToken(liveKit.apiKey, "not-the-secret", { ttl: "5m" });
    forger.sha256 = digest;
    const forged = await app.app.fetch(new Request("http://localhost/webhooks/livekit", { method: "POST", body, headers: { authorization: await forger.toJwt(), "content-type": "application/webhook+json" } }));
    expect(forged.status).toBe(401);
    const before = await viewersNow();
    const signer = new AccessToken(liveKit.apiKey, liveKit.apiSecret, { ttl: "5m" });
    signer.sha256 = digest;
    const authorization = await signer.toJwt();
    const send = () => app.app.fetch(new Request("http://localhost/webhooks/livekit", { method: "POST", body, headers: { authorization, "content-type": "application/webhook+json" } }));
    expect(await (await send()).json()).toEqual({ received: true, outcome: "applied" });
    expect(await (await send()).json()).toEqual({ received: true, outcome: "duplicate" });
    expect(await viewersNow()).toBe(before + 1);
  });
});
