// The till's customer display feed: signed long polls answer with the store's last sale, switch to
// the live show's pinned product (live price and stock) as soon as the host pins it, and refuse
// unsigned requests.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import type { DisplayAnswer } from "../modules/pos/index.ts";
import { signedHeaders, type PairAnswer } from "../modules/pos/protocol.ts";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";

let app: TestApp;
let device: PairAnswer;

beforeAll(async () => {
  app = await startTestApp();
  const staff = app.client();
  await staff.signIn("staff@demo.broadcart.test", DEMO_PASSWORD);
  await staff.get("/merchant/pos");
  const page = await (await staff.post("/merchant/pos/devices", { name: "Display" })).text();
  const code = /: ([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(page)![1]!;
  const paired = await app.app.fetch(new Request("http://localhost/pos/v1/pair", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code }) }));
  device = (await paired.json()) as PairAnswer;
}, 60_000);
afterAll(() => app.close());

async function poll(version: string | null = null): Promise<Response> {
  const path = "/pos/v1/display";
  const headers = await signedHeaders(device.deviceId, device.secret, "GET", path, "");
  return app.app.fetch(new Request(`http://localhost${path}${version ? `?version=${version}` : ""}`, { headers }));
}

describe("customer display", () => {
  it("shows the last sale, then the live show's pinned product as soon as it is pinned", async () => {
    const first = await poll();
    expect(first.status).toBe(200);
    const idle = (await first.json()) as DisplayAnswer;
    // The seed's store has no till sale yet and no live show.
    expect(idle.state.mode).toBe("idle");

    const session = (await app.services.live.board(10)).upcoming.find((s) => s.host.name === "林小夏")!;
    await app.services.live.startSession({ type: "user", id: session.host.id }, session.id);
    const waiting = poll(idle.version);
    await Bun.sleep(300);
    await app.services.rooms.pin({ type: "user", id: session.host.id }, session.id, session.productIds[0]!);
    const started = Date.now();
    const changed = (await (await waiting).json()) as DisplayAnswer;
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(changed.version).not.toBe(idle.version);
    const product = await app.services.catalog.getPublishedProduct(session.productIds[0]!);
    expect(changed.state).toMatchObject({ mode: "live", title: product.titleZh, titleEn: product.titleEn, currency: "CNY", priceFen: product.skus[0]!.price.amount });
    expect(changed.state.mode === "live" && changed.state.stock).toBeGreaterThan(0);
  }, 40_000);

  it("refuses an unsigned poll", async () => {
    const response = await app.app.fetch(new Request("http://localhost/pos/v1/display"));
    expect(response.status).toBe(401);
  });
});
