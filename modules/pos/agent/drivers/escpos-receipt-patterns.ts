// Configurable line patterns that read a printed receipt (the text lines from EscposParser) into a
// ParsedTransaction. The defaults fit a typical Chinese till; every pattern can be replaced from
// the agent's configuration (as RegExp or as a regex source string). Money is parsed from decimal
// text to fen with integer arithmetic only. Pure.
import type { ParsedTransaction } from "./driver.ts";

export type PatternSource = RegExp | string;

export interface ReceiptPatternConfig {
  /** The receipt number: named group `no`. First matching line wins. */
  receiptNo: PatternSource[];
  /** An item line: named groups `code`, `qty`, `price` (unit price); optional `amount` is ignored. */
  item: PatternSource[];
  /** The total: named group `amount`. First matching line wins. */
  total: PatternSource[];
  /** The payment method: named group `method`, normalised through `paymentNames`. First match wins. */
  payment: PatternSource[];
  /** Printed method → the `payment` value sent to the server (unlisted names are sent as printed). */
  paymentNames: Record<string, string>;
  /** Any line matching marks the receipt as a refund. */
  refund: PatternSource[];
  /** The print time: named groups `y`, `mo`, `d`, `h`, `mi`, optional `s`. Absent → time the cut was seen. */
  time: PatternSource[];
  currency: string;
  /** The till clock's offset from UTC in minutes (China: 480). */
  utcOffsetMinutes: number;
}

export interface ReceiptPatterns {
  receiptNo: RegExp[];
  item: RegExp[];
  total: RegExp[];
  payment: RegExp[];
  paymentNames: Map<string, string>;
  refund: RegExp[];
  time: RegExp[];
  currency: string;
  utcOffsetMinutes: number;
}

const AMOUNT = String.raw`-?[\d,]*\d(?:\.\d+)?`;

export const DEFAULT_RECEIPT_PATTERNS: ReceiptPatternConfig = {
  receiptNo: [
    // Chinese labels with an optional colon; English "No." / "Receipt No:" need their separator, so
    // a line like "no total" is not a receipt number
    String.raw`^\s*(?:(?:退货|退款)?(?:单号|小票号|小票编号|流水号|票号|单据号|销售单号)\s*[:：#]?|(?:Receipt\s*)?No\s*[.:：#]\s*[:：]?)\s*(?<no>[A-Za-z0-9][A-Za-z0-9_/-]{0,63})`,
  ],
  item: [
    // "6901234567890 可口可乐 2 x 3.50 7.00", "A1001 1 x 12.00", "6901234567890 2×3.50"
    String.raw`^\s*(?<code>[A-Za-z0-9][A-Za-z0-9._-]{2,63})(?:\s+\S.*?)?\s+(?<qty>-?\d+(?:\.\d+)?)\s*[xX×*]\s*[¥￥]?\s*(?<price>${AMOUNT})(?:\s+[¥￥]?\s*(?<amount>${AMOUNT}))?\s*$`,
  ],
  total: [
    String.raw`^\s*(?:退货|退款)?\s*(?:合计|总计|应收|应付|应退|总额|TOTAL)(?:金额)?\s*[:：]?\s*[¥￥]?\s*(?<amount>${AMOUNT})\s*(?:元)?\s*$`,
  ],
  payment: [
    String.raw`^\s*(?:支付方式|付款方式|支付|付款|退款方式)\s*[:：]\s*(?<method>[^\s:：]+)`,
    String.raw`^\s*(?<method>现金|微信支付|微信|支付宝|银联|银行卡|刷卡|储值卡|会员卡)\s*[:：]?\s*[¥￥]?\s*${AMOUNT}\s*$`,
  ],
  paymentNames: {
    现金: "cash",
    微信: "wechat",
    微信支付: "wechat",
    支付宝: "alipay",
    银联: "unionpay",
    银行卡: "card",
    刷卡: "card",
    储值卡: "stored_value",
    会员卡: "stored_value",
  },
  refund: [
    // a line that is only the mark ("*** 退货 ***", "退款单"), a type field, or a refund-labelled field;
    // a footer such as "如需退货请保留小票" is not a mark
    String.raw`^[\s*=#【\[\-—]*(?:退货|退款|REFUND)(?:单|小票|凭证)?[\s*=#】\]\-—]*$`,
    String.raw`(?:类型|单据类型|交易类型)\s*[:：]\s*(?:退货|退款|REFUND)`,
    String.raw`^\s*(?:退货|退款)(?:单号|合计|金额|方式)`,
  ],
  time: [
    String.raw`(?<y>\d{4})[-/.年](?<mo>\d{1,2})[-/.月](?<d>\d{1,2})日?\s+(?<h>\d{1,2}):(?<mi>\d{2})(?::(?<s>\d{2}))?`,
  ],
  currency: "CNY",
  utcOffsetMinutes: 480,
};

const compile = (sources: PatternSource[], flags: string) =>
  sources.map((source) => (typeof source === "string" ? new RegExp(source, flags) : source));

/** The default patterns with `overrides` replacing whole entries. Strings compile with flags "iu". */
export function receiptPatterns(overrides: Partial<ReceiptPatternConfig> = {}): ReceiptPatterns {
  const config = { ...DEFAULT_RECEIPT_PATTERNS, ...overrides };
  return {
    receiptNo: compile(config.receiptNo, "iu"),
    item: compile(config.item, "iu"),
    total: compile(config.total, "iu"),
    payment: compile(config.payment, "iu"),
    paymentNames: new Map(Object.entries(config.paymentNames)),
    refund: compile(config.refund, "iu"),
    time: compile(config.time, "iu"),
    currency: config.currency,
    utcOffsetMinutes: config.utcOffsetMinutes,
  };
}

/**
 * "12.5" → 1250, "-3.50" → -350, "1,234.56" → 123456, "7" → 700; null for anything else
 * (including more than two decimals). Integer arithmetic only.
 */
export function parseFen(text: string): number | null {
  const match = /^\s*(-)?\s*[¥￥]?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*$/u.exec(text);
  if (!match) return null;
  const yuan = match[2]!.replaceAll(",", "");
  const fen = (match[3] ?? "").padEnd(2, "0");
  const value = Number(yuan) * 100 + Number(fen);
  if (!Number.isSafeInteger(value)) return null;
  return match[1] ? -value : value;
}

/** "2" → 2, "2.000" → 2, "-1" → -1; null for fractional quantities (weighed goods) or junk. */
export function parseQuantity(text: string): number | null {
  const match = /^\s*(-)?(\d{1,9})(?:\.(0+))?\s*$/.exec(text);
  if (!match) return null;
  const value = Number(match[2]);
  return match[1] ? -value : value;
}

export type ReadReceipt = { ok: true; transaction: ParsedTransaction } | { ok: false; reason: string };

function firstMatch(patterns: RegExp[], line: string): RegExpExecArray | null {
  for (const pattern of patterns) {
    pattern.lastIndex = 0;
    const match = pattern.exec(line);
    if (match) return match;
  }
  return null;
}

function printedTime(match: RegExpExecArray, offsetMinutes: number): string | null {
  const g = match.groups ?? {};
  const [y, mo, d, h, mi, s] = [g.y, g.mo, g.d, g.h, g.mi, g.s ?? "0"].map((part) => Number(part));
  if ([y, mo, d, h, mi, s].some((part) => part === undefined || !Number.isInteger(part))) return null;
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 59) return null;
  const ms = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) - offsetMinutes * 60_000;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/**
 * Reads one receipt. Readable means: a receipt number, a total and at least one item line with a
 * whole quantity. Refund receipts carry positive amounts (the sign printed is dropped) and kind
 * "refund". `seenAt` is used when no print time is found.
 */
export function readReceipt(lines: string[], patterns: ReceiptPatterns, seenAt: Date): ReadReceipt {
  let receiptNo: string | null = null;
  let totalFen: number | null = null;
  let payment: string | null = null;
  let at: string | null = null;
  let refund = false;
  const items: ParsedTransaction["lines"] = [];

  for (const line of lines) {
    if (!refund && firstMatch(patterns.refund, line)) refund = true;
    if (receiptNo === null) {
      const match = firstMatch(patterns.receiptNo, line);
      if (match?.groups?.no) {
        receiptNo = match.groups.no.trim();
        continue;
      }
    }
    if (totalFen === null) {
      const match = firstMatch(patterns.total, line);
      if (match?.groups?.amount !== undefined) {
        const fen = parseFen(match.groups.amount);
        if (fen === null) return { ok: false, reason: `total not a money amount: ${JSON.stringify(line)}` };
        totalFen = Math.abs(fen);
        continue;
      }
    }
    if (payment === null) {
      const match = firstMatch(patterns.payment, line);
      if (match?.groups?.method) {
        const printed = match.groups.method.trim();
        payment = (patterns.paymentNames.get(printed) ?? printed).slice(0, 40);
        continue;
      }
    }
    if (at === null) {
      const match = firstMatch(patterns.time, line);
      if (match) {
        at = printedTime(match, patterns.utcOffsetMinutes);
        if (at !== null) continue;
      }
    }
    const item = firstMatch(patterns.item, line);
    if (item?.groups?.code && item.groups.qty !== undefined && item.groups.price !== undefined) {
      const quantity = parseQuantity(item.groups.qty);
      const price = parseFen(item.groups.price);
      if (quantity === null || quantity === 0) return { ok: false, reason: `item quantity not a whole number: ${JSON.stringify(line)}` };
      if (price === null) return { ok: false, reason: `item price not a money amount: ${JSON.stringify(line)}` };
      items.push({ code: item.groups.code, quantity: Math.abs(quantity), unitPriceFen: Math.abs(price) });
    }
  }

  if (receiptNo === null) return { ok: false, reason: "no receipt number" };
  if (totalFen === null) return { ok: false, reason: "no total" };
  if (items.length === 0) return { ok: false, reason: "no item lines" };
  if (items.length > 500) return { ok: false, reason: "more than 500 item lines" };
  return {
    ok: true,
    transaction: {
      kind: refund ? "refund" : "sale",
      receiptNo,
      at: at ?? seenAt.toISOString(),
      lines: items,
      totalFen,
      currency: patterns.currency,
      payment,
    },
  };
}
