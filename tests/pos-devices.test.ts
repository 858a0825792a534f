// Pairing a till device through the real app: staff create it in the dashboard and get a short
// single-use code that expires in minutes; the agent exchanges it for an id and a secret; a revoked
// device is refused at once.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { PairAnswer } from "../modules/pos/protocol.ts";
import { demoStoreId, scalar } from "./fixtures/commerce.ts";
import { pairingCode, pairRequest, signedRequest, staffClient } from "./fixtures/pos.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

function testClock() {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms: number) => void (offset += ms) };
}

const clock = testClock();
let app: TestApp;
let staff: TestClient;

beforeAll(async () => {
  app = await startTestApp({ clock });
  staff = await staffClient(app);
}, 60_000);
afterAll(() => app.close());

const newDevice = (name: string) => pairingCode(staff, name);
const pair = (code: string, name?: string) => pairRequest(app, code, name);

function ingestEmpty(answer: PairAnswer) {
  const body = JSON.stringify({ deviceId: answer.deviceId, transactions: [] });
  return signedRequest(app, answer, "POST", "/pos/v1/ingest", { body, now: clock.now().getTime() });
}

describe("pairing", () => {
  it("exchanges a pairing code once for a device id and a secret; the secret is stored sealed", async () => {
    const code = await newDevice("Till 1");
    const first = await pair(code.toLowerCase(), "Front till");
    expect(first.status).toBe(200);
    const answer = (await first.json()) as PairAnswer;
    expect(answer.deviceId).toMatch(/^dev_/);
    expect(answer.secret.length).toBeGreaterThanOrEqual(40);
    expect(answer.storeId).toBe(await demoStoreId(app));
    const sealed = await app.database.client.execute({ sql: "SELECT secret_sealed, name FROM pos_devices WHERE id = ?", args: [answer.deviceId] });
    expect(String(sealed.rows[0]![0])).toStartWith("v2.k1.");
    expect(String(sealed.rows[0]![0])).not.toContain(answer.secret);
    expect(sealed.rows[0]![1]).toBe("Front till");

    const again = await pair(code);
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("pairing_refused");
    expect((await ingestEmpty(answer)).status).toBe(200);
  });

  it("refuses an expired code and an unknown one", async () => {
    const code = await newDevice("Till 2");
    clock.advance(11 * 60_000);
    expect((await pair(code)).status).toBe(401);
    expect((await pair("AAAA-BBBB")).status).toBe(401);
    expect((await pair("")).status).toBe(401);
  });

  it("refuses a revoked device at once, and lists devices with status and last seen", async () => {
    const code = await newDevice("Till 3");
    const answer = (await (await pair(code)).json()) as PairAnswer;
    expect((await ingestEmpty(answer)).status).toBe(200);
    const page = await (await staff.get("/merchant/pos")).text();
    expect(page).toContain("Till 3");
    expect(page).toContain(answer.deviceId);
    expect(await staff.post(`/merchant/pos/devices/${answer.deviceId}/revoke`).then((r) => r.status)).toBe(303);
    const refused = await ingestEmpty(answer);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("device_refused");
    expect(await scalar(app, "SELECT count(*) FROM audit_entries WHERE action = 'pos.device_revoked' AND subject = ?", [`pos_device:${answer.deviceId}`])).toBe(1);
    const after = await (await staff.get("/merchant/pos")).text();
    expect(after).toMatch(new RegExp(`device-${answer.deviceId}[\\s\\S]*?revoked`));
  });

  it("refuses a code whose device was revoked before pairing", async () => {
    const code = await newDevice("Till 4");
    const id = String((await app.database.client.execute("SELECT id FROM pos_devices WHERE name = 'Till 4'")).rows[0]![0]);
    await staff.post(`/merchant/pos/devices/${id}/revoke`);
    expect((await pair(code)).status).toBe(401);
  });

  it("keeps shoppers out of the dashboard", async () => {
    const anonymous = app.client();
    expect((await anonymous.request("/merchant/pos")).status).toBe(303);
  });
});
