// Real-name verification through the pages: a new host submits name, ID number and an ID photo (bad
// input answered in place), cannot go live while pending; an officer sees the ID masked, reveals it
// with a recorded reason, views the document, approves; the host can then go live.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { isResidentIdNumber, maskIdNumber } from "../modules/compliance/index.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

let app: TestApp;
let host: TestClient;
let hostId: string;
const png = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="), (ch) => ch.charCodeAt(0));
// A well-formed resident ID number (check digit valid) made up for the test.
const ID = "11010519491231002X";

beforeAll(async () => {
  app = await startTestApp();
  const system = { type: "system" as const, id: "test" };
  const account = await app.services.accounts.createAccount({ email: "verify.host@example.com", displayName: "待审主播", password: "long-enough-password", roles: ["host", "shopper"] }, system);
  hostId = account.id;
  host = app.client();
  await host.signIn("verify.host@example.com", "long-enough-password");
}, 60_000);
afterAll(() => app.close());

describe("resident ID numbers", () => {
  it("checks the check digit and masks all but the region and the last four", () => {
    expect(isResidentIdNumber(ID)).toBe(true);
    expect(isResidentIdNumber("110105194912310021")).toBe(false);
    expect(isResidentIdNumber("12345")).toBe(false);
    expect(maskIdNumber(ID)).toBe("110105********002X");
  });
});

describe("host verification pages", () => {
  it("takes a host's submission, keeps the details sealed and masked, and lets an officer reveal (audited) and approve", async () => {
    await host.get("/account/verification");
    const bad = await host.postMultipart("/account/verification", { realName: "", idNumber: "110105194912310021" }, { document: new File(["not a picture"], "id.png", { type: "image/png" }) }, { htmx: true });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    for (const message of ["legal name", "18-digit resident ID", "photo of your ID card"]) expect(html).toContain(message);
    const ok = await host.postMultipart("/account/verification", { realName: "欧阳晓蕾", idNumber: ID.toLowerCase() }, { document: new File([png], "id.png", { type: "image/png" }) });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("Waiting for review");
    expect(await app.services.hostVerification.status(hostId)).toBe("pending");

    const officer = app.client();
    await officer.signIn("officer@demo.broadcart.test", DEMO_PASSWORD);
    const queue = await (await officer.get("/compliance/hosts")).text();
    expect(queue).toContain("110105********002X");
    expect(queue).not.toContain(ID);
    expect(queue).not.toContain("欧阳晓蕾");
    const noReason = await officer.post(`/compliance/hosts/${hostId}/reveal`, { reason: "" }, { htmx: true });
    expect(noReason.status).toBe(400);
    const revealed = await (await officer.post(`/compliance/hosts/${hostId}/reveal`, { reason: "checking the ID photo matches" }, { htmx: true })).text();
    expect(revealed).toContain("欧阳晓蕾");
    expect(revealed).toContain(ID);
    const [entry] = await app.services.audit.recent(1);
    expect(entry).toMatchObject({ action: "host_verification.revealed", subject: `user:${hostId}`, data: { reason: "checking the ID photo matches" } });
    const document = await officer.request(`/compliance/hosts/${hostId}/document`);
    expect(document.status).toBe(200);
    expect(new Uint8Array(await document.arrayBuffer())).toEqual(png);
    expect((await host.request(`/compliance/hosts/${hostId}/document`)).status).toBe(403);

    expect((await officer.post(`/compliance/hosts/${hostId}/review`, { decision: "rejected", note: "" }, { htmx: true })).status).toBe(422);
    expect((await officer.post(`/compliance/hosts/${hostId}/review`, { decision: "approved", note: "" }, { htmx: true })).status).toBe(200);
    expect(await app.services.hostVerification.isApproved(hostId)).toBe(true);
    expect((await app.services.audit.verifyChain()).intact).toBe(true);
  });
});
