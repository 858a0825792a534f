// A host's upcoming shows as an iCalendar (RFC 5545) feed that calendar apps subscribe to: the
// serialiser only, runtime-neutral. Lines end in CRLF and are folded at 75 octets of UTF-8 without
// splitting a character; TEXT values escape backslash, semicolon, comma and newlines.

export interface CalendarShow {
  /** Stable across feeds, so a calendar updates the event instead of adding another. */
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description: string;
  url: string;
  status: "TENTATIVE" | "CONFIRMED" | "CANCELLED";
}

export interface ShowCalendar {
  prodId: string;
  name: string;
  /** When this copy of the feed was made (DTSTAMP of every event). */
  stamp: Date;
  shows: readonly CalendarShow[];
}

const LINE_OCTETS = 75;
const utf8 = new TextEncoder();

/** A TEXT value (RFC 5545 §3.3.11): `\`, `;`, `,` escaped, every kind of line break as `\n`. */
export function escapeText(value: string): string {
  return value.replace(/[\\;,]/g, (char) => `\\${char}`).replace(/\r\n|\r|\n/g, "\\n");
}

/** A UTC DATE-TIME: 20261126T063000Z. */
export function formatUtc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/**
 * Folds one content line (§3.1): at most 75 octets per line, continuation lines start with a space
 * (which counts). Splits between code points, so a multi-byte character is never cut in two.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = utf8.encode(char).length;
    if (octets + size > LINE_OCTETS) {
      parts.push(current);
      current = " ";
      octets = 1;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n");
}

function eventLines(show: CalendarShow, stamp: Date): string[] {
  return [
    "BEGIN:VEVENT",
    `UID:${escapeText(show.uid)}`,
    `DTSTAMP:${formatUtc(stamp)}`,
    `DTSTART:${formatUtc(show.start)}`,
    `DTEND:${formatUtc(show.end)}`,
    `SUMMARY:${escapeText(show.summary)}`,
    `DESCRIPTION:${escapeText(show.description)}`,
    `URL:${show.url.replace(/[\r\n]/g, "")}`,
    `STATUS:${show.status}`,
    "END:VEVENT",
  ];
}

export function serializeShowCalendar(calendar: ShowCalendar): string {
  const lines = [
    "BEGIN:VCALENDAR",
    `PRODID:${escapeText(calendar.prodId)}`,
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${escapeText(calendar.name)}`,
    // How often subscribers should fetch the feed again (Apple, Google, and Outlook each read one of these).
    "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    "X-PUBLISHED-TTL:PT1H",
    ...calendar.shows.flatMap((show) => eventLines(show, calendar.stamp)),
    "END:VCALENDAR",
  ];
  return lines.map(foldLine).join("\r\n") + "\r\n";
}
