// The social module's public surface: store communities, follows and show reminders, points and tiers (services and pages).
export { createCommunity, type Community, type CommunityStanding, type MutedMember, ERASED_BODY } from "./community.ts";
export type { CommunityComment, CommunityPost, CommunityPage } from "./community-feed.ts";
export { communityRoutes } from "./community-routes.tsx";
export { createFollows, type Follows, type FollowTarget, type DailyFollows } from "./follows.ts";
export { createShowNotices, REMIND_BEFORE_MINUTES, type ShowNotices } from "./reminders.ts";
export { createShowCalendarFeed, type ShowCalendarFeed } from "./show-calendar-feed.ts";
export { followsRoutes } from "./follows-routes.tsx";
export { createPointsLedger, NotEnoughPoints, type PointsLedger, type PointsEntry } from "./points-ledger.ts";
export { createMemberCodes, type MemberCodes } from "./member-codes.ts";
export { createMembership, PointsOverCap, type Membership, type MembershipSummary } from "./membership.ts";
export { membershipRoutes } from "./membership-routes.tsx";
export { createGroupBuys, type GroupBuys, type GroupView, type OpenGroup } from "./group-buys.ts";
export type { GroupOffer, GroupOfferRecord, GroupDay, NewGroupOffer } from "./group-buy-offers.ts";
export { groupBuyRoutes } from "./group-buy-routes.tsx";
export { createReferrals, type Referrals, type ReferralLink, type ReferralProgram, type ReferralTarget } from "./referrals.ts";
export type { DailyReferrals } from "./referral-figures.ts";
export { referralRoutes } from "./referral-routes.tsx";
