// A streaming ESC/POS parser for the escpos-tap driver: bytes from the till (in any chunking) →
// receipts as text lines. Printer commands (ESC …, GS …, FS …, DLE …) are skipped with their real
// argument and data lengths — a raster logo's bytes never leak into the text — and a cut (`GS V`,
// or the obsolete `ESC i` / `ESC m`) ends a receipt. Text is decoded per line as GB18030 or UTF-8.
// Pure: no I/O, no timers.

export type ReceiptEncoding = "gb18030" | "utf-8";

export interface EscposReceipt {
  /** The receipt's printed lines, right-trimmed, blank lines left out. */
  lines: string[];
  /** `lines` joined with "\n" (what an unreadable receipt is recorded as). */
  text: string;
  /** What ended it: a cut command, or `flush()` (idle timeout, shutdown, size limit). */
  end: "GS V" | "ESC i" | "ESC m" | "flush" | "limit";
}

export interface EscposParserOptions {
  encoding?: ReceiptEncoding;
  /** A line longer than this (bytes) is broken (default 4096). */
  maxLineBytes?: number;
  /** A receipt with more lines than this is ended without a cut (default 2000). */
  maxReceiptLines?: number;
  /** Command headers that must be buffered (ESC &, FS q) larger than this are abandoned (default 1 MiB). */
  maxCommandBytes?: number;
}

export interface EscposParserStats {
  receipts: number;
  commands: number;
  /** ESC/GS/FS sequences not in the table: the intro and command byte are skipped, nothing else. */
  unknownCommands: number;
  /** Bytes skipped as command data (images, barcodes, QR codes, downloads). */
  dataBytes: number;
}

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;
const LF = 0x0a;
const CR = 0x0d;
const HT = 0x09;
const FF = 0x0c;
const NUL = 0x00;

const c = (ch: string) => ch.charCodeAt(0);

/** Arguments after `ESC x` for commands of fixed length. */
const ESC_FIXED = new Map<number, number>([
  [c("@"), 0], [c("!"), 1], [c("E"), 1], [c("G"), 1], [c("-"), 1], [c("a"), 1], [c("d"), 1], [c("J"), 1],
  [c("K"), 1], [c("e"), 1], [c("M"), 1], [c("R"), 1], [c("t"), 1], [c("{"), 1], [c("V"), 1], [c("r"), 1],
  [c("2"), 0], [c("3"), 1], [c(" "), 1], [c("$"), 2], [c("\\"), 2], [c("="), 1], [c("c"), 2], [c("p"), 3],
  [c("%"), 1], [c("?"), 1], [c("L"), 0], [c("S"), 0], [c("T"), 1], [c("W"), 8], [c("i"), 0], [c("m"), 0],
  [c("U"), 1], [c("u"), 1], [c("v"), 0], [0x0e, 0], [0x14, 0], [FF, 0], [c("<"), 0], [c("f"), 2], [c("B"), 2],
  [c("4"), 0], [c("5"), 0], [c("g"), 0],
]);

/** Arguments after `GS x` for commands of fixed length. */
const GS_FIXED = new Map<number, number>([
  [c("!"), 1], [c("B"), 1], [c("H"), 1], [c("h"), 1], [c("w"), 1], [c("f"), 1], [c("L"), 2], [c("W"), 2],
  [c("$"), 2], [c("\\"), 2], [c("P"), 2], [c("a"), 1], [c("b"), 1], [c("r"), 1], [c("I"), 1], [c("T"), 1],
  [c("^"), 3], [c(":"), 0], [c("j"), 1], [c("g"), 4], [c("z"), 3], [c("c"), 0], [c("/"), 1], [c("E"), 1],
]);

/** Arguments after `FS x` for commands of fixed length. */
const FS_FIXED = new Map<number, number>([
  [c("&"), 0], [c("."), 0], [c("!"), 1], [c("-"), 1], [c("C"), 1], [c("S"), 2], [c("W"), 1], [c("2"), 74],
  [c("p"), 2], [c("?"), 2],
]);

/** Total length of a command, once its header is known. */
type Length =
  | number
  /** Data runs up to and including a NUL, starting at `from`, at most `max` bytes. */
  | { untilNul: number; max: number };

const word = (b: number[], i: number) => (b[i] ?? 0) + (b[i + 1] ?? 0) * 256;

/**
 * The length of the command whose first bytes are `b` (b[0] is ESC, GS, FS or DLE), or null when
 * more bytes are needed to tell. Unknown sequences are 2 bytes long (1 when the second byte starts
 * another command), so they never swallow text.
 */
export function commandLength(b: number[]): Length | null {
  if (b.length < 2) return null;
  const intro = b[0]!;
  const fn = b[1]!;
  if (intro === DLE) {
    if (fn === 0x04) {
      if (b.length < 3) return null;
      return b[2] === 7 || b[2] === 8 ? 4 : 3; // DLE EOT n [m]
    }
    if (fn === 0x05) return 3; // DLE ENQ n
    if (fn === 0x14) {
      // DLE DC4 fn …
      if (b.length < 3) return null;
      const sub = b[2]!;
      if (sub === 1 || sub === 2 || sub === 3) return 5;
      if (sub === 7) return 4;
      if (sub === 8) return 10;
      return 3;
    }
    return 1; // a lone DLE
  }
  if (fn === ESC || fn === GS || fn === FS || fn === DLE) return 1;
  if (intro === ESC) {
    const fixed = ESC_FIXED.get(fn);
    if (fixed !== undefined) return 2 + fixed;
    if (fn === c("*")) {
      // ESC * m nL nH d1…dk: 8-dot modes 1 byte per column, 24-dot modes 3
      if (b.length < 5) return null;
      const n = word(b, 3);
      return 5 + (b[2] === 32 || b[2] === 33 ? 3 * n : n);
    }
    if (fn === c("D")) return { untilNul: 2, max: 33 }; // ESC D n1…nk NUL (tab positions)
    if (fn === c("(")) {
      if (b.length < 5) return null;
      return 5 + word(b, 3); // ESC ( fn pL pH …
    }
    if (fn === c("&")) {
      // ESC & y c1 c2 [x1 d1…d(y×x1)]…[xk …]: walk the characters already buffered
      if (b.length < 5) return null;
      const y = b[2]!;
      const count = Math.max(0, b[4]! - b[3]! + 1);
      let pos = 5;
      for (let i = 0; i < count; i++) {
        if (pos >= b.length) return null;
        pos += 1 + y * b[pos]!;
      }
      return pos;
    }
    return 2;
  }
  if (intro === GS) {
    const fixed = GS_FIXED.get(fn);
    if (fixed !== undefined) return 2 + fixed;
    switch (fn) {
      case c("V"): {
        // GS V m (m = 0, 1, 48, 49) | GS V m n (m = 65, 66, 97, 98, 103, 104)
        if (b.length < 3) return null;
        const m = b[2]!;
        return m === 0 || m === 1 || m === 48 || m === 49 ? 3 : 4;
      }
      case c("k"): {
        // GS k m d1…dk NUL (m = 0…6) | GS k m n d1…dn (m = 65…79)
        if (b.length < 3) return null;
        if (b[2]! <= 6) return { untilNul: 3, max: 256 };
        if (b.length < 4) return null;
        return 4 + b[3]!;
      }
      case c("v"):
      case c("Q"): {
        // GS v 0 m xL xH yL yH d1…dk, k = (xL + xH×256) × (yL + yH×256); GS Q 0 likewise
        if (b.length < 8) return null;
        return 8 + word(b, 4) * word(b, 6);
      }
      case c("*"): {
        // GS * x y d1…d(x×y×8)
        if (b.length < 4) return null;
        return 4 + b[2]! * b[3]! * 8;
      }
      case c("("): {
        // GS ( fn pL pH … (graphics, QR/PDF417 via GS ( k, etc.)
        if (b.length < 5) return null;
        return 5 + word(b, 3);
      }
      case c("8"): {
        // GS 8 L p1 p2 p3 p4 … (large graphics data)
        if (b.length < 7) return null;
        return 7 + b[3]! + b[4]! * 0x100 + b[5]! * 0x10000 + b[6]! * 0x1000000;
      }
    }
    return 2;
  }
  if (intro === FS) {
    const fixed = FS_FIXED.get(fn);
    if (fixed !== undefined) return 2 + fixed;
    if (fn === c("(")) {
      if (b.length < 5) return null;
      return 5 + word(b, 3);
    }
    if (fn === c("q")) {
      // FS q n [xL xH yL yH d1…dk]1…n, k = (xL + xH×256) × (yL + yH×256) × 8
      if (b.length < 3) return null;
      const n = b[2]!;
      let pos = 3;
      for (let i = 0; i < n; i++) {
        if (pos + 4 > b.length) return null;
        pos += 4 + word(b, pos) * word(b, pos + 2) * 8;
      }
      return pos;
    }
    return 2;
  }
  return 1;
}

function isKnown(b: number[]): boolean {
  const intro = b[0]!;
  const fn = b[1];
  if (intro === DLE || fn === undefined) return true;
  if (fn === ESC || fn === GS || fn === FS || fn === DLE) return true;
  if (intro === ESC) return ESC_FIXED.has(fn) || fn === c("*") || fn === c("D") || fn === c("(") || fn === c("&");
  if (intro === GS) return GS_FIXED.has(fn) || [c("V"), c("k"), c("v"), c("Q"), c("*"), c("("), c("8")].includes(fn);
  return FS_FIXED.has(fn) || fn === c("(") || fn === c("q");
}

export class EscposParser {
  readonly encoding: ReceiptEncoding;
  readonly stats: EscposParserStats = { receipts: 0, commands: 0, unknownCommands: 0, dataBytes: 0 };
  private readonly decoder: TextDecoder;
  private readonly maxLineBytes: number;
  private readonly maxReceiptLines: number;
  private readonly maxCommandBytes: number;
  private readonly onReceipt: (receipt: EscposReceipt) => void;

  private mode: "text" | "command" | "skip" | "nul" = "text";
  private command: number[] = [];
  private skipLeft = 0;
  private nulLeft = 0;
  private line: number[] = [];
  private lines: string[] = [];

  constructor(onReceipt: (receipt: EscposReceipt) => void, options: EscposParserOptions = {}) {
    this.onReceipt = onReceipt;
    this.encoding = options.encoding ?? "gb18030";
    this.decoder = new TextDecoder(this.encoding);
    this.maxLineBytes = options.maxLineBytes ?? 4096;
    this.maxReceiptLines = options.maxReceiptLines ?? 2000;
    this.maxCommandBytes = options.maxCommandBytes ?? 1 << 20;
  }

  /** True while text of an unfinished receipt is held. */
  get pending(): boolean {
    return this.lines.length > 0 || this.line.length > 0;
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.mode === "skip") {
        const take = Math.min(this.skipLeft, n - i);
        this.skipLeft -= take;
        this.stats.dataBytes += take;
        i += take;
        if (this.skipLeft === 0) this.mode = "text";
        continue;
      }
      const byte = chunk[i++]!;
      if (this.mode === "nul") {
        this.stats.dataBytes += 1;
        this.nulLeft -= 1;
        if (byte === NUL || this.nulLeft <= 0) this.mode = "text";
        continue;
      }
      if (this.mode === "command") {
        this.command.push(byte);
        this.continueCommand();
        continue;
      }
      this.textByte(byte);
    }
  }

  /** Ends the receipt in progress without a cut (idle timeout, shutdown). */
  flush(end: "flush" | "limit" = "flush"): void {
    this.endLine();
    this.endReceipt(end);
  }

  private textByte(byte: number): void {
    if (byte === ESC || byte === GS || byte === FS || byte === DLE) {
      this.mode = "command";
      this.command = [byte];
      return;
    }
    if (byte === LF || byte === FF) {
      this.endLine();
      return;
    }
    if (byte === HT) {
      this.appendText(0x20);
      return;
    }
    if (byte < 0x20 || byte === 0x7f || byte === CR) return;
    this.appendText(byte);
  }

  private appendText(byte: number): void {
    this.line.push(byte);
    if (this.line.length >= this.maxLineBytes) this.endLine();
  }

  private continueCommand(): void {
    const b = this.command;
    const length = commandLength(b);
    if (length === null) {
      if (b.length > this.maxCommandBytes) {
        // A runaway variable-length header (ESC &, FS q): give up on it, back to text.
        this.stats.unknownCommands += 1;
        this.mode = "text";
        this.command = [];
      }
      return;
    }
    this.command = [];
    this.stats.commands += 1;
    if (!isKnown(b)) this.stats.unknownCommands += 1;
    if (typeof length === "object") {
      const already = b.length - length.untilNul;
      this.mode = "nul";
      this.nulLeft = length.max - already;
      this.apply(b);
      return;
    }
    this.mode = "text";
    if (length > b.length) {
      this.mode = "skip";
      this.skipLeft = length - b.length;
    }
    this.apply(b);
    if (length < b.length) {
      // The command was shorter than what was buffered (e.g. ESC followed by GS): re-read the rest.
      const rest = b.slice(length);
      this.push(Uint8Array.from(rest));
    }
  }

  private apply(b: number[]): void {
    const intro = b[0];
    const fn = b[1];
    if (intro === GS && fn === c("V")) {
      this.endLine();
      this.endReceipt("GS V");
    } else if (intro === ESC && (fn === c("i") || fn === c("m"))) {
      this.endLine();
      this.endReceipt(fn === c("i") ? "ESC i" : "ESC m");
    } else if (intro === ESC && (fn === c("d") || fn === c("J") || fn === FF)) {
      // print and feed: the buffered text is a printed line
      this.endLine();
    }
  }

  private endLine(): void {
    if (this.line.length === 0) return;
    const text = this.decoder.decode(Uint8Array.from(this.line)).trimEnd();
    this.line = [];
    if (text.trim().length === 0) return;
    this.lines.push(text);
    if (this.lines.length >= this.maxReceiptLines) this.endReceipt("limit");
  }

  private endReceipt(end: EscposReceipt["end"]): void {
    if (this.lines.length === 0) return;
    const lines = this.lines;
    this.lines = [];
    this.stats.receipts += 1;
    this.onReceipt({ lines, text: lines.join("\n"), end });
  }
}
