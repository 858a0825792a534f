// The till's customer display feed: signed long polls answer with the store's last sale, switch to
// the live show's pinned product (live price and stock) as soon as the host pins it, and refuse
// unsigned requests.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { DisplayAnswer } from "../modules/pos/index.ts";
import type { PairAnswer } from "../modules/pos/protocol.ts";
import { pairDevice, signedRequest } from "./fixtures/pos.ts";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";

let app: TestApp;
let device: PairAnswer;

beforeAll(async () => {
  app = await startTestApp();
  device = await pairDevice(app, { name: "Display" });
}, 60_000);
afterAll(() => app.close());

function poll(version: string | null = null): Promise<Response> {
  return signedRequest(app, device, "GET", "/pos/v1/display", { search: version ? `?version=${version}` : "" });
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
