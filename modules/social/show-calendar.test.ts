import { describe, expect, it } from "bun:test";
import { escapeText, foldLine, formatUtc, serializeShowCalendar, type CalendarShow } from "./show-calendar.ts";

const octets = (text: string) => new TextEncoder().encode(text).length;
const unfold = (text: string) => text.replace(/\r\n /g, "");

const show = (overrides: Partial<CalendarShow> = {}): CalendarShow => ({
  uid: "liv_01JQ000000000000000000000A@shop.example",
  start: new Date("2026-12-01T12:00:00Z"),
  end: new Date("2026-12-01T14:00:00Z"),
  summary: "Spring tea",
  description: "Hosted by Lin",
  url: "https://shop.example/live/liv_01JQ000000000000000000000A",
  status: "CONFIRMED",
  ...overrides,
});

describe("iCalendar text escaping", () => {
  it("escapes backslash, semicolon and comma, and writes every line break as \\n", () => {
    expect(escapeText("a\\b;c,d")).toBe("a\\\\b\\;c\\,d");
    expect(escapeText("one\r\ntwo\nthree\rfour")).toBe("one\\ntwo\\nthree\\nfour");
    expect(escapeText("时间: 20:00")).toBe("时间: 20:00");
  });

  it("escapes the backslash first, so an escaped comma is not escaped twice", () => {
    expect(escapeText("\\,")).toBe("\\\\\\,");
  });
});

describe("iCalendar line folding", () => {
  it("leaves a line of 75 octets alone and folds the 76th onto a continuation line", () => {
    expect(foldLine("x".repeat(75))).toBe("x".repeat(75));
    expect(foldLine("x".repeat(76))).toBe(`${"x".repeat(75)}\r\n x`);
  });

  it("folds a long Chinese title by octets, never inside a character", () => {
    const title = "春季新茶直播：明前龙井、碧螺春、白毫银针限时秒杀，主播林小夏带你走进茶园，现场开箱品鉴，下单即送手工茶具一套";
    const folded = foldLine(`SUMMARY:${escapeText(title)}`);
    const lines = folded.split("\r\n");
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      expect(octets(line)).toBeLessThanOrEqual(75);
      expect(line).not.toContain("\uFFFD");
    }
    // 8 ASCII octets then 3-octet characters: the first line holds 22 of them (74 octets), not a partial 23rd.
    expect(octets(lines[0]!)).toBe(74);
    for (const line of lines.slice(1)) expect(line.startsWith(" ")).toBe(true);
    expect(unfold(folded)).toBe(`SUMMARY:${escapeText(title)}`);
  });

  it("keeps a four-octet emoji whole at a fold", () => {
    const line = "SUMMARY:" + "a".repeat(65) + "🍵🍵🍵";
    const lines = foldLine(line).split("\r\n");
    expect(lines[0]).toBe("SUMMARY:" + "a".repeat(65));
    expect(lines[1]).toBe(" 🍵🍵🍵");
  });
});

describe("the show calendar", () => {
  const text = serializeShowCalendar({ prodId: "-//Broadcart//Shows//EN", name: "林小夏, shows", stamp: new Date("2026-11-26T06:30:00.123Z"), shows: [show(), show({ uid: "second@shop.example", summary: "A; B, C" })] });

  it("ends every line in CRLF and keeps every line within 75 octets", () => {
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    for (const line of text.split("\r\n")) expect(octets(line)).toBeLessThanOrEqual(75);
  });

  it("writes the calendar's properties and one event per show, in UTC", () => {
    const lines = unfold(text).split("\r\n");
    expect(lines.slice(0, 6)).toEqual(["BEGIN:VCALENDAR", "PRODID:-//Broadcart//Shows//EN", "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:林小夏\\, shows"]);
    expect(lines.filter((line) => line === "BEGIN:VEVENT")).toHaveLength(2);
    expect(lines).toContain("DTSTART:20261201T120000Z");
    expect(lines).toContain("DTEND:20261201T140000Z");
    expect(lines).toContain("DTSTAMP:20261126T063000Z");
    expect(lines).toContain("SUMMARY:A\\; B\\, C");
    expect(lines.at(-2)).toBe("END:VCALENDAR");
  });

  it("formats times as UTC date-times without milliseconds", () => {
    expect(formatUtc(new Date("2026-01-02T03:04:05.678Z"))).toBe("20260102T030405Z");
  });
});
