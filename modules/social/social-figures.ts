// The social figures hosts and merchants see as charts: follower growth, referral conversions,
// group-buy outcomes and points issued and redeemed, per UTC day over the last weeks. Each series
// comes from the part of the social module that owns it; this file only lines them up by day.
import { cumulative, dailySeries, type DailyPoint } from "./chart-scale.ts";
import type { DailyFollows, FollowTarget } from "./follows.ts";
import type { DailyReferrals } from "./referral-figures.ts";
import type { GroupDay } from "./group-buy-offers.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
export const FIGURE_DAYS = 30;

export interface SocialFiguresDeps {
  follows: {
    followerGrowth(type: FollowTarget["type"], id: string, from: Date, to: Date): Promise<DailyFollows[]>;
    followerCount(target: FollowTarget): Promise<number>;
  };
  referrals: { referralFigures(storeId: string, from: Date, to: Date): Promise<DailyReferrals[]> };
  groupBuys: { groupFigures(storeId: string, from: Date, to: Date): Promise<GroupDay[]> };
  points: { storeFigures(storeId: string, from: Date, to: Date): Promise<{ issued: Map<string, number>; redeemed: Map<string, number> }> };
  now: () => Date;
}

export interface FollowerFigures {
  /** Followers in total at the end of each day. */
  total: DailyPoint[];
  /** New follows per day. */
  added: DailyPoint[];
}

export interface StoreFigures {
  from: Date;
  to: Date;
  followers: FollowerFigures;
  referralClicks: DailyPoint[];
  referralOrders: DailyPoint[];
  groupsFilled: DailyPoint[];
  groupsFailed: DailyPoint[];
  /** Filled of the groups that closed in the range, 0–1; null when none closed. */
  groupSuccessRate: number | null;
  pointsIssued: DailyPoint[];
  pointsRedeemed: DailyPoint[];
}

const byDay = <T extends { day: string }>(rows: readonly T[], value: (row: T) => number) => new Map(rows.map((row) => [row.day, value(row)]));

export function createSocialFigures({ follows, referrals, groupBuys, points, now }: SocialFiguresDeps) {
  /** The last `days` UTC days, today included. */
  function range(days: number) {
    const today = new Date(Date.UTC(now().getUTCFullYear(), now().getUTCMonth(), now().getUTCDate()));
    return { from: new Date(today.getTime() - (days - 1) * DAY_MS), to: today, end: new Date(today.getTime() + DAY_MS) };
  }

  async function followerFigures(target: FollowTarget, from: Date, to: Date): Promise<FollowerFigures> {
    const [growth, total] = await Promise.all([follows.followerGrowth(target.type, target.id, from, to), follows.followerCount(target)]);
    const added = dailySeries(byDay(growth, (row) => row.follows), from, to);
    const inRange = added.reduce((sum, point) => sum + point.value, 0);
    return { added, total: cumulative(added, total - inRange) };
  }

  return {
    async forHost(hostId: string, days = FIGURE_DAYS): Promise<{ from: Date; to: Date; followers: FollowerFigures }> {
      const { from, to } = range(days);
      return { from, to, followers: await followerFigures({ type: "host", id: hostId }, from, to) };
    },

    async forStore(storeId: string, days = FIGURE_DAYS): Promise<StoreFigures> {
      const { from, to, end } = range(days);
      const [followers, referral, groups, pointFigures] = await Promise.all([
        followerFigures({ type: "store", id: storeId }, from, to),
        referrals.referralFigures(storeId, from, to),
        groupBuys.groupFigures(storeId, from, end),
        points.storeFigures(storeId, from, end),
      ]);
      const filled = groups.reduce((sum, day) => sum + day.filled, 0);
      const failed = groups.reduce((sum, day) => sum + day.failed, 0);
      return {
        from,
        to,
        followers,
        referralClicks: dailySeries(byDay(referral, (row) => row.clicks), from, to),
        referralOrders: dailySeries(byDay(referral, (row) => row.attributedOrders), from, to),
        groupsFilled: dailySeries(byDay(groups, (row) => row.filled), from, to),
        groupsFailed: dailySeries(byDay(groups, (row) => row.failed), from, to),
        groupSuccessRate: filled + failed > 0 ? filled / (filled + failed) : null,
        pointsIssued: dailySeries(pointFigures.issued, from, to),
        pointsRedeemed: dailySeries(pointFigures.redeemed, from, to),
      };
    },
  };
}

export type SocialFigures = ReturnType<typeof createSocialFigures>;
