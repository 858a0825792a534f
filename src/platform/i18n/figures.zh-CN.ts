// 社交数据页（主播与商家的图表）的中文文案。
import type { figuresEn } from "./figures.en.ts";

export const figuresZhCN: { readonly [K in keyof typeof figuresEn]: string } = {
  "figures.nav": "社交数据",
  "figures.title": "社交数据",
  "figures.range": "最近 {days} 天（UTC），{from} – {to}",
  "figures.host_followers": "您的粉丝",
  "figures.store_followers": "{store} 的粉丝",
  "figures.followers_total": "粉丝总数",
  "figures.followers_added": "新增关注",
  "figures.referrals": "分享链接：访问与成交订单",
  "figures.referral_clicks": "访问",
  "figures.referral_orders": "成交订单",
  "figures.groups": "拼团：成团与未成团",
  "figures.groups_filled": "成团",
  "figures.groups_failed": "未成团",
  "figures.group_rate": "成团率：{rate}",
  "figures.group_rate_none": "这段时间内没有结束的团。",
  "figures.points": "本店订单发放与抵扣的积分",
  "figures.points_issued": "发放",
  "figures.points_redeemed": "抵扣",
  "figures.nothing": "开播或经营店铺后，这里会显示数据。",
};
