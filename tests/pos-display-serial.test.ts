// The agent's customer display end to end: the real app serving /pos/v1/display, a paired device,
// the display follower writing to one end of a socat pty pair, and what reaches the other end (the
// "display") decoded from GB18030: the welcome text, then the pinned product as soon as it is pinned.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import iconv from "iconv-lite";
import { followDisplay } from "../modules/pos/agent/display/follow.ts";
import { openSerialPort } from "../modules/pos/agent/serial/port.ts";
import type { PairAnswer } from "../modules/pos/protocol.ts";
import { pairDevice } from "./fixtures/pos.ts";
import { startPtyPair, type PtyPair } from "./fixtures/pty-pair.ts";
import { closePort } from "./fixtures/serial.ts";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";
import { waitFor } from "./fixtures/wait.ts";

let app: TestApp;
let listener: ReturnType<typeof Bun.serve>;
let pty: PtyPair;
let device: PairAnswer;

beforeAll(async () => {
  app = await startTestApp();
  listener = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => app.app.fetch(request) });
  pty = await startPtyPair("display");
  device = await pairDevice(app, { name: "VFD" });
}, 60_000);

afterAll(async () => {
  listener?.stop(true);
  await pty?.stop();
  app?.close();
});

describe("customer display on a serial port", () => {
  it("shows the welcome text, then the live show's pinned product with its price, in GB18030", async () => {
    const glass = await openSerialPort({ path: pty.b, baudRate: 9600, lock: false });
    let received = Buffer.alloc(0);
    glass.on("data", (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    const shown = () => iconv.decode(received, "gb18030");
    const follower = followDisplay({ server: `http://127.0.0.1:${listener.port}`, deviceId: device.deviceId, secret: device.secret, port: { path: pty.a, baudRate: 9600, lock: false } });
    try {
      const until = (text: string) => waitFor(() => shown().includes(text), 5_000, () => `the display to show ${text}; it shows ${JSON.stringify(shown())}`, 50);
      await until("欢迎光临");
      const session = (await app.services.live.board(10)).upcoming.find((s) => s.host.name === "林小夏")!;
      await app.services.live.startSession({ type: "user", id: session.host.id }, session.id);
      await app.services.rooms.pin({ type: "user", id: session.host.id }, session.id, session.productIds[0]!);
      const product = await app.services.catalog.getPublishedProduct(session.productIds[0]!);
      await until([...product.titleZh].slice(0, 4).join(""));
      await until(`¥${(product.skus[0]!.price.amount / 100).toFixed(2)}`);
      expect(received.includes(Buffer.from([0x1b, 0x40]))).toBe(true);
    } finally {
      await follower.stop();
      await closePort(glass);
    }
  }, 30_000);
});
