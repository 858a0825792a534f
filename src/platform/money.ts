// Money is an integer count of minor units (fen for CNY) with its currency; never a float.
export interface Money {
  readonly amount: number;
  readonly currency: string;
}

interface CurrencyFormat {
  readonly symbol: string;
  readonly minorDigits: number;
}

const currencies: Record<string, CurrencyFormat> = {
  CNY: { symbol: "¥", minorDigits: 2 },
  HKD: { symbol: "HK$", minorDigits: 2 },
  USD: { symbol: "US$", minorDigits: 2 },
  EUR: { symbol: "€", minorDigits: 2 },
  JPY: { symbol: "JP¥", minorDigits: 0 },
};

export class MoneyError extends Error {}

function formatOf(currency: string): CurrencyFormat {
  const format = currencies[currency];
  if (!format) throw new MoneyError(`unsupported currency ${currency}`);
  return format;
}

export function isSupportedCurrency(currency: string): boolean {
  return currency in currencies;
}

export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount)) throw new MoneyError(`amount must be an integer of minor units, got ${amount}`);
  formatOf(currency);
  return { amount, currency };
}

/** "¥12.90", "-¥0.05", "JP¥1200". */
export function formatMoney({ amount, currency }: Money): string {
  const { symbol, minorDigits } = formatOf(currency);
  const sign = amount < 0 ? "-" : "";
  const digits = String(Math.abs(amount)).padStart(minorDigits + 1, "0");
  const major = digits.slice(0, digits.length - minorDigits);
  const minor = digits.slice(digits.length - minorDigits);
  const grouped = major.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${symbol}${grouped}${minorDigits ? "." + minor : ""}`;
}

/** Parses a decimal string such as "12.9" or "12.90" into minor units without floating point. */
export function parseMoney(text: string, currency: string): Money {
  const { minorDigits } = formatOf(currency);
  const match = /^(-)?(\d{1,13})(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new MoneyError(`not an amount: ${JSON.stringify(text)}`);
  const [, sign, major = "0", fraction = ""] = match;
  if (fraction.length > minorDigits) throw new MoneyError(`${currency} has ${minorDigits} decimal places at most`);
  const amount = Number(major + fraction.padEnd(minorDigits, "0"));
  return money(sign ? -amount : amount, currency);
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new MoneyError(`cannot add ${a.currency} and ${b.currency}`);
  return money(a.amount + b.amount, a.currency);
}

export function multiplyMoney(price: Money, quantity: number): Money {
  if (!Number.isSafeInteger(quantity)) throw new MoneyError(`quantity must be an integer, got ${quantity}`);
  return money(price.amount * quantity, price.currency);
}
