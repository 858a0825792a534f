// A show on a real LiveKit server: the host goes live from the studio, a shopper gets a viewer token
// (subscribe only) and joins the room with it, their chat message reaches the room as a data packet
// the server sent, and a message with a banned advertising term is refused with the term named.
import { expect } from "bun:test";
import { Room, RoomEvent } from "@livekit/rtc-node";
import type { TestClient } from "../fixtures/test-app.ts";
import { waitFor } from "../fixtures/wait.ts";
import type { Journey } from "./target.ts";
import { demoEmails, page, redirected, signedIn, webClient } from "./web-client.ts";

interface RoomJoin {
  url: string;
  token: string;
  identity: string;
  roomName: string;
}

const PACKET_WAIT_MS = 20_000;

export const liveTokenAndChat: Journey = async (target) => {
  const home = await page(await webClient(target).get("/"));
  const sessionId = /href="\/live\/(liv_[0-9A-Z]+)">[^<]*Spring tea launch/.exec(home)?.[1];
  expect(sessionId).toBeDefined();

  const host = await signedIn(target, demoEmails.host);
  await page(await host.get(`/studio/${sessionId}`));
  await redirected(await host.post(`/studio/${sessionId}/go-live`));

  const shopper = await signedIn(target, demoEmails.shopper);
  await page(await shopper.get(`/live/${sessionId}`));
  const join = await joinAsViewer(shopper, sessionId!);
  expect(join.roomName).toBe(sessionId!);
  const claims = JSON.parse(Buffer.from(join.token.split(".")[1]!, "base64url").toString()) as { sub: string; video: Record<string, unknown> };
  expect(claims.sub).toBe(join.identity);
  expect(claims.video).toMatchObject({ room: sessionId, roomJoin: true, canSubscribe: true, canPublish: false, canPublishData: false });

  const room = new Room();
  const chat: string[] = [];
  room.on(RoomEvent.DataReceived, (payload, _from, _kind, topic) => {
    if (topic === "chat") chat.push((JSON.parse(new TextDecoder().decode(payload)) as { body: string }).body);
  });
  try {
    // LiveKit lets the viewer in only with a token signed by the key it knows: the target's.
    await room.connect(join.url, join.token, { autoSubscribe: true, dynacast: false });

    const hello = `Journey hello ${crypto.randomUUID().slice(0, 8)}`;
    expect((await shopper.post(`/live/${sessionId}/chat`, { body: hello }, { htmx: true })).status).toBe(200);
    await waitFor(() => chat.includes(hello), PACKET_WAIT_MS, () => `the chat packet "${hello}" (got ${JSON.stringify(chat)})`, 50);

    // Another shopper, so the refusal is not mistaken for the first one posting again too soon.
    const secondShopper = await signedIn(target, demoEmails.secondShopper);
    await page(await secondShopper.get(`/live/${sessionId}`));
    const banned = "这是全网最好的龙井";
    const refused = await secondShopper.post(`/live/${sessionId}/chat`, { body: banned }, { htmx: true });
    const refusal = await page(refused, 422);
    expect(refusal).toContain("Not sent: advertising rules do not allow “全网最”.");

    const watch = await page(await shopper.get(`/live/${sessionId}`));
    expect(watch).toContain(hello);
    expect(watch).not.toContain(banned);
  } finally {
    await room.disconnect();
  }

  expect(await redirected(await host.post(`/studio/${sessionId}/end`))).toBe(`/live/${sessionId}/summary`);
};

/** What the watch page's script does: POST /live/:id/join with the CSRF header, JSON back. */
async function joinAsViewer(browser: TestClient, sessionId: string): Promise<RoomJoin> {
  const response = await browser.request(`/live/${sessionId}/join`, { method: "POST", headers: { accept: "application/json", "x-csrf-token": browser.csrfToken! } });
  expect(response.status).toBe(200);
  return (await response.json()) as RoomJoin;
}
