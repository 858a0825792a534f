// The membership program's arithmetic: tiers by rolling 12-month spend, points earned on a paid
// order, and how many points an order may spend. Points are one program across stores, counted in
// the platform's home currency (CNY): an order in another currency neither earns nor spends points.
export const MEMBERSHIP_CURRENCY = "CNY";
/** Points earned per whole yuan paid, before the tier's multiplier. */
export const POINTS_PER_YUAN = 1;
/** What one point is worth when spent: 1 fen (100 points take ¥1 off). */
export const FEN_PER_POINT = 1;
/** At most this share of an order's payable amount may be paid with points. */
export const REDEEM_MAX_PERCENT = 50;
export const TIER_WINDOW_DAYS = 365;

export type TierId = "regular" | "silver" | "gold" | "diamond";

export interface Tier {
  id: TierId;
  /** Spend over the last 12 months (fen) from which the tier applies. */
  minSpendFen: number;
  /** Points earned, in percent of the base rate. */
  multiplierPercent: number;
}

export const TIERS: readonly Tier[] = [
  { id: "regular", minSpendFen: 0, multiplierPercent: 100 },
  { id: "silver", minSpendFen: 100_000, multiplierPercent: 125 },
  { id: "gold", minSpendFen: 500_000, multiplierPercent: 150 },
  { id: "diamond", minSpendFen: 2_000_000, multiplierPercent: 200 },
];

export function tierFor(spendFen: number): Tier {
  let tier = TIERS[0]!;
  for (const candidate of TIERS) if (spendFen >= candidate.minSpendFen) tier = candidate;
  return tier;
}

export interface TierProgress {
  tier: Tier;
  next: Tier | null;
  /** Spend still needed for the next tier; 0 at the top. */
  remainingFen: number;
  /** 0–100: how far between this tier's threshold and the next one. */
  percent: number;
}

export function tierProgress(spendFen: number): TierProgress {
  const tier = tierFor(spendFen);
  const next = TIERS[TIERS.indexOf(tier) + 1] ?? null;
  if (!next) return { tier, next, remainingFen: 0, percent: 100 };
  const span = next.minSpendFen - tier.minSpendFen;
  return { tier, next, remainingFen: next.minSpendFen - spendFen, percent: Math.floor(((spendFen - tier.minSpendFen) * 100) / span) };
}

/** Points a paid order earns: whole yuan of what was paid (after discounts and points), times the tier's multiplier. */
export function pointsEarned(paidFen: number, currency: string, tier: Tier): number {
  if (currency !== MEMBERSHIP_CURRENCY || paidFen <= 0) return 0;
  const base = Math.floor(paidFen / 100) * POINTS_PER_YUAN;
  return Math.floor((base * tier.multiplierPercent) / 100);
}

/** The most points an order with this payable amount may spend, given the member's balance. */
export function maxRedeemablePoints(balance: number, payableFen: number, currency: string): number {
  if (currency !== MEMBERSHIP_CURRENCY || balance <= 0 || payableFen <= 0) return 0;
  const capFen = Math.floor((payableFen * REDEEM_MAX_PERCENT) / 100);
  return Math.min(balance, Math.floor(capFen / FEN_PER_POINT));
}

export const pointsValueFen = (points: number): number => points * FEN_PER_POINT;
