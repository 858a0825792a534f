// Test fixtures for the ESC/POS tap: a GB18030 encoder (built by inverting the platform's decoder
// over the two-byte range, which covers every character the fixtures use) and a receipt builder
// that produces what a real till sends: init, alignment, emphasis, sizes, a raster logo whose data
// contains LF and GS V bytes, a CODE128 barcode, a QR code, feeds, and a GS V cut.

let table: Map<string, number[]> | null = null;

function gbTable(): Map<string, number[]> {
  if (table) return table;
  table = new Map();
  const decoder = new TextDecoder("gb18030");
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const ch = decoder.decode(Uint8Array.of(lead, trail));
      if (ch.length === 1 && ch !== "\ufffd" && !table.has(ch)) table.set(ch, [lead, trail]);
    }
  }
  return table;
}

export function encodeGb18030(text: string): Uint8Array {
  const out: number[] = [];
  const map = gbTable();
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else {
      const bytes = map.get(ch);
      if (!bytes) throw new Error(`no two-byte GB18030 code for ${JSON.stringify(ch)}`);
      out.push(...bytes);
    }
  }
  return Uint8Array.from(out);
}

export interface FixtureReceipt {
  receiptNo: string;
  refund: boolean;
  lines: { code: string; name: string; quantity: number; unitPriceFen: number }[];
  totalFen: number;
  paymentText: string;
  payment: string;
  /** Printed as local time (UTC+8). */
  printedAt: string;
}

const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;

/** A 48×24-dot raster logo whose data bytes include LF (0x0A), GS (0x1D), 'V' and ESC. */
export function rasterLogo(): Uint8Array {
  const widthBytes = 6;
  const rows = 24;
  const data = Array.from({ length: widthBytes * rows }, (_, i) => [0x0a, 0x1d, 0x56, 0x1b, 0x40, 0xff, 0x00, 0x42][i % 8]!);
  return Uint8Array.from([0x1d, 0x76, 0x30, 0x00, widthBytes, 0, rows, 0, ...data]);
}

export function receiptBytes(receipt: FixtureReceipt, encode: (text: string) => Uint8Array = encodeGb18030): Uint8Array {
  const parts: number[] = [];
  const raw = (...bytes: number[]) => parts.push(...bytes);
  const text = (line: string) => {
    parts.push(...encode(line));
    parts.push(0x0a);
  };
  raw(0x1b, 0x40); // ESC @
  raw(0x1c, 0x26); // FS & Chinese mode
  raw(0x1b, 0x61, 0x01); // centre
  raw(...rasterLogo());
  raw(0x1d, 0x21, 0x11); // double size
  raw(0x1b, 0x45, 0x01);
  text("博卡便利店");
  raw(0x1b, 0x45, 0x00, 0x1d, 0x21, 0x00);
  if (receipt.refund) text("*** 退货 ***");
  raw(0x1b, 0x61, 0x00);
  text(`单号: ${receipt.receiptNo}`);
  text(`日期: ${receipt.printedAt}`);
  text("收银员: 张三");
  raw(0x1b, 0x2d, 0x01);
  text("编码 品名 数量 x 单价 金额");
  raw(0x1b, 0x2d, 0x00);
  for (const line of receipt.lines) {
    const sign = receipt.refund ? "-" : "";
    text(`${line.code} ${line.name} ${sign}${line.quantity} x ${yuan(line.unitPriceFen)} ${sign}${yuan(line.quantity * line.unitPriceFen)}`);
  }
  raw(0x1b, 0x64, 0x01); // ESC d 1
  raw(0x1b, 0x45, 0x01);
  text(`${receipt.refund ? "退款合计" : "合计"}: ${receipt.refund ? "-" : ""}${yuan(receipt.totalFen)}`);
  raw(0x1b, 0x45, 0x00);
  text(`支付方式: ${receipt.paymentText}`);
  text("如需退货请保留小票, 谢谢惠顾!");
  // CODE128 barcode of the receipt number: GS h, GS w, GS H, GS k 73 n data
  const barcode = Array.from(new TextEncoder().encode(`{B${receipt.receiptNo}`));
  raw(0x1d, 0x68, 0x50, 0x1d, 0x77, 0x02, 0x1d, 0x48, 0x02, 0x1d, 0x6b, 73, barcode.length, ...barcode);
  // QR code: GS ( k store + print
  const qr = Array.from(new TextEncoder().encode(`https://broadcart.example/r/${receipt.receiptNo}`));
  const storeLength = qr.length + 3;
  raw(0x1d, 0x28, 0x6b, storeLength & 0xff, storeLength >> 8, 0x31, 0x50, 0x30, ...qr);
  raw(0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30);
  raw(0x1b, 0x64, 0x04); // feed
  raw(0x1d, 0x56, 0x42, 0x00); // GS V 66 0: feed and partial cut
  return Uint8Array.from(parts);
}

/** The n-th of a deterministic mix of sales and refunds (every 10th a refund). */
export function fixtureReceipt(n: number): FixtureReceipt {
  const names = ["可口可乐", "农夫山泉", "康师傅红烧牛肉面", "奥利奥饼干", "蒙牛纯牛奶", "德芙巧克力"];
  const payments = [
    ["微信支付", "wechat"],
    ["支付宝", "alipay"],
    ["现金", "cash"],
  ] as const;
  const count = 1 + (n % 4);
  const lines = Array.from({ length: count }, (_, i) => ({
    code: `69012345${String(((n * 7 + i * 13) % 10000)).padStart(5, "0")}`,
    name: names[(n + i) % names.length]!,
    quantity: 1 + ((n + i) % 3),
    unitPriceFen: 150 + ((n * 37 + i * 101) % 5000),
  }));
  const [paymentText, payment] = payments[n % payments.length]!;
  return {
    receiptNo: `S${String(20240000 + n)}`,
    refund: n % 10 === 9,
    lines,
    totalFen: lines.reduce((sum, line) => sum + line.quantity * line.unitPriceFen, 0),
    paymentText,
    payment,
    printedAt: `2024-05-${String(1 + (n % 28)).padStart(2, "0")} 1${n % 10}:${String(n % 60).padStart(2, "0")}:07`,
  };
}
