// What a notice says, in the reader's language, from its kind and parameters. A kind another
// module adds (show reminders…) gets its renderer here and its strings in i18n/notifications.*.ts.
import type { InboxNotice, NoticeParams } from "../../src/accounts/notifications.ts";
import type { MessageKey } from "../../src/platform/i18n.ts";
import type { ViewContext } from "../view-context.ts";

type NoticeRenderer = (v: ViewContext, params: NoticeParams) => string[];

const subjects: Record<string, MessageKey> = { product: "notice.subject.product", live_title: "notice.subject.live_title", chat: "notice.subject.chat" };
const fields: Record<string, MessageKey> = {
  titleZh: "notice.field.titleZh",
  titleEn: "notice.field.titleEn",
  descriptionZh: "notice.field.descriptionZh",
  descriptionEn: "notice.field.descriptionEn",
  title: "notice.field.title",
  body: "notice.field.body",
};

const text = (value: NoticeParams[string] | undefined): string => (typeof value === "string" || typeof value === "number" ? String(value) : "");
const lookup = (v: ViewContext, keys: Record<string, MessageKey>, value: NoticeParams[string] | undefined) => {
  const key = keys[text(value)];
  return key ? v.t(key) : text(value);
};

const tierNames: Record<string, MessageKey> = { silver: "points.tier.silver", gold: "points.tier.gold", diamond: "points.tier.diamond" };
const names = (value: NoticeParams[string] | undefined, separator: string) => (Array.isArray(value) ? value.join(separator) : text(value));

/** A show's title (neutral when an officer had removed it), host and store, from a show notice. */
const showOf = (v: ViewContext, params: NoticeParams) => ({
  title: text(params.title) || v.t("live.title_neutral"),
  host: text(params.host),
  store: v.pick(text(params.storeZh), text(params.storeEn)),
});

const renderers: Record<string, NoticeRenderer> = {
  "moderation.warning": (v, params) => {
    const terms = Array.isArray(params.terms) ? params.terms.join(v.locale === "zh-CN" ? "、" : ", ") : text(params.terms);
    const lines = [v.t("notice.moderation.warning", { subject: lookup(v, subjects, params.kind), field: lookup(v, fields, params.field), terms })];
    const note = text(params.note);
    if (note) lines.push(v.t("notice.moderation.warning_note", { note }));
    return lines;
  },
  "show.reminder": (v, params) => [v.t("notice.show.reminder", { ...showOf(v, params), time: v.formatTime(new Date(text(params.startsAt))) })],
  "show.started": (v, params) => [v.t("notice.show.started", showOf(v, params))],
  "referral.rewarded": (v, params) => {
    const store = v.pick(text(params.storeZh), text(params.storeEn));
    if (params.points) return [v.t("notice.referral.rewarded_points", { store, points: text(params.points) })];
    return [v.t("notice.referral.rewarded_coupon", { store, coupon: v.pick(text(params.couponZh), text(params.couponEn)) })];
  },
  "referral.reversed": (v, params) => {
    const store = v.pick(text(params.storeZh), text(params.storeEn));
    if (params.points) return [v.t("notice.referral.reversed_points", { store, points: text(params.points) })];
    return [v.t(params.couponTakenBack === false ? "notice.referral.reversed_coupon_used" : "notice.referral.reversed_coupon", { store })];
  },
  "tier.reached": (v, params) => {
    const coupons = v.pick(names(params.couponsZh, "、"), names(params.couponsEn, ", "));
    const lines = params.crossed === true ? [v.t("notice.tier.reached", { tier: lookup(v, tierNames, params.tier) })] : [];
    if (coupons) lines.push(v.t("notice.tier.coupons", { coupons }));
    return lines.length > 0 ? lines : [v.t("notice.unknown")];
  },
  "group.filled": (v, params) => [v.t("notice.group.filled", { title: v.pick(text(params.titleZh), text(params.titleEn)), size: text(params.size) })],
  "group.failed": (v, params) => [v.t(params.refunded === true ? "notice.group.failed_refunded" : "notice.group.failed", { title: v.pick(text(params.titleZh), text(params.titleEn)) })],
};

/** The notice's lines of text; a kind this version does not know says only that there is a notice. */
export function noticeText(v: ViewContext, notice: Pick<InboxNotice, "kind" | "params">): string[] {
  const render = Object.hasOwn(renderers, notice.kind) ? renderers[notice.kind] : undefined;
  return render ? render(v, notice.params) : [v.t("notice.unknown")];
}
