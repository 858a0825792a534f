import { describe, expect, test } from "bun:test";
import { decodeTransactionPayload, EcrFrameReader, encodeFrame, encodeTransactionFrame, ETX, lrc, nextSequence, STX } from "./ecr-frames.ts";

const defaults = { currency: "CNY", at: "2024-06-01T00:00:00.000Z" };

describe("ECR frames", () => {
  test("encoding: STX SEQ payload ETX LRC", () => {
    const frame = encodeFrame(0x31, new TextEncoder().encode("{}"));
    expect(Array.from(frame)).toEqual([STX, 0x31, 0x7b, 0x7d, ETX, 0x31 ^ 0x7b ^ 0x7d ^ ETX]);
    expect(lrc([0x31, 0x7b, 0x7d, ETX])).toBe(0x34);
    expect(nextSequence(0x39)).toBe(0x30);
    expect(() => encodeFrame(0x41, new Uint8Array())).toThrow();
    expect(() => encodeFrame(0x30, Uint8Array.of(0x02))).toThrow();
  });

  test("reader: noise ignored, any chunking, bad LRC, bad sequence, restart on STX, timeout", () => {
    const tx = { kind: "sale" as const, receiptNo: "T1", lines: [{ code: "A", quantity: 1, unitPriceFen: 100 }], totalFen: 100 };
    const frame = encodeTransactionFrame(0x30, tx);
    const reader = new EcrFrameReader({ interByteTimeoutMs: 100 });
    const events = [];
    for (const byte of [0xff, 0x06, ...frame]) events.push(...reader.push(Uint8Array.of(byte), 0));
    expect(events.length).toBe(1);
    expect(events[0]!.type).toBe("frame");

    const bad = Uint8Array.from(frame);
    bad[bad.length - 1]! ^= 0x01;
    expect(reader.push(bad, 0)[0]).toMatchObject({ type: "bad", reason: "lrc" });
    expect(reader.push(Uint8Array.of(STX, 0x41, ETX, 0x41 ^ ETX), 0)[0]).toMatchObject({ type: "bad", reason: "sequence" });
    expect(reader.push(Uint8Array.of(STX, 0x30, 0x7b, ...frame), 0).map((e) => e.type)).toEqual(["frame"]);
    expect(reader.stats.abandoned).toBe(1);

    reader.push(frame.subarray(0, 5), 1000);
    expect(reader.deadline).toBe(1100);
    expect(reader.expire(1050)).toBeNull();
    expect(reader.expire(1100)).toMatchObject({ type: "bad", reason: "timeout" });
    expect(reader.deadline).toBeNull();
  });

  test("payload validation", () => {
    const ok = decodeTransactionPayload(new TextEncoder().encode(JSON.stringify({ kind: "refund", receiptNo: " R1 ", lines: [{ code: "A", quantity: 2, unitPriceFen: 50 }], totalFen: 100, payment: "card" })), defaults);
    expect(ok).toEqual({ ok: true, transaction: { kind: "refund", receiptNo: "R1", at: defaults.at, lines: [{ code: "A", quantity: 2, unitPriceFen: 50 }], totalFen: 100, currency: "CNY", payment: "card" } });
    const bad = (o: unknown) => decodeTransactionPayload(new TextEncoder().encode(JSON.stringify(o)), defaults).ok;
    expect(bad({ kind: "sale", receiptNo: "1", lines: [{ code: "A", quantity: 1.5, unitPriceFen: 1 }], totalFen: 1 })).toBe(false);
    expect(bad({ kind: "sale", receiptNo: "1", lines: [], totalFen: 1 })).toBe(false);
    expect(bad({ kind: "void", receiptNo: "1", lines: [{ code: "A", quantity: 1, unitPriceFen: 1 }], totalFen: 1 })).toBe(false);
    expect(bad({ kind: "sale", receiptNo: "1", lines: [{ code: "A", quantity: 1, unitPriceFen: 1 }], totalFen: 1.5 })).toBe(false);
    expect(decodeTransactionPayload(Uint8Array.of(0xff, 0xfe), defaults).ok).toBe(false);
  });
});
