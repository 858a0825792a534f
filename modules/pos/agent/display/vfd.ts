// A 2×20 customer display (VFD) with ESC/POS-compatible commands: the two lines a state shows, and
// the bytes that put them on the glass. Chinese text goes out in GB18030, two columns a character.
import iconv from "iconv-lite";
import type { DisplayState } from "../../display.ts";

export const COLUMNS = 20;

const ESC = 0x1b;
const CLEAR = 0x0c;
/** ESC @ (initialise), then the "overwrite" mode many VFDs take as US MD1. */
const INIT = [ESC, 0x40, 0x1f, 0x01];

/** Display columns of a character: CJK and full-width forms take two. */
function width(ch: string): number {
  const code = ch.codePointAt(0)!;
  return code >= 0x1100 && (code <= 0x115f || (code >= 0x2e80 && code <= 0xa4cf) || (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60) || (code >= 0xffe0 && code <= 0xffe6)) ? 2 : 1;
}

/** Cuts or pads `text` to exactly `columns` display columns, never splitting a wide character. */
export function fit(text: string, columns = COLUMNS, align: "left" | "right" = "left"): string {
  let out = "";
  let used = 0;
  for (const ch of text) {
    const w = width(ch);
    if (used + w > columns) break;
    out += ch;
    used += w;
  }
  const pad = " ".repeat(columns - used);
  return align === "left" ? out + pad : pad + out;
}

function yuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** The two lines for a display state. */
export function displayLines(state: DisplayState): [string, string] {
  switch (state.mode) {
    case "live": {
      const price = `¥${yuan(state.priceFen)}`;
      const left = state.saleLeft !== null ? `秒杀剩${state.saleLeft}` : `库存${state.stock}`;
      return [fit(state.title), fit(`${price} ${left}`)];
    }
    case "last_sale":
      return [fit("谢谢惠顾 Thank you"), fit(`合计 ¥${yuan(state.totalFen)}`, COLUMNS, "right")];
    case "idle":
      return [fit("欢迎光临 Welcome"), fit("")];
  }
}

/** The bytes that clear the display and write both lines. */
export function vfdFrame(lines: [string, string]): Uint8Array {
  const first = iconv.encode(lines[0], "gb18030");
  const second = iconv.encode(lines[1], "gb18030");
  // Line 1, then CR LF onto line 2 (US $ x y is not on every model; CR LF is).
  return Uint8Array.from([...INIT, CLEAR, ...first, 0x0d, 0x0a, ...second]);
}
