// 隐私相关文案：账户页的个人数据导出。
export const privacyZhCN = {
  "privacy.export.title": "我的数据",
  "privacy.export.hint": "以一个 JSON 文件下载 Broadcart 保存的关于你的全部数据（账户、订单及收货地址、售后申请、领取的优惠券）。",
  "privacy.export.button": "导出我的数据（JSON）",
  "privacy.erasure.already": "您已申请删除个人信息，合规专员将尽快处理。",
  "privacy.erasure.closed": "该申请已处理。",
  "privacy.erasure.request": "删除我的个人信息",
  "privacy.erasure.explain": "您的账号、收货地址、聊天记录和实名信息将被删除或匿名化。根据电子商务法，订单记录保留三年，但不再包含您的姓名和联系方式。",
  "privacy.erasure.requested": "已于 {time} 申请删除，将于 {due} 前处理完毕。",
  "privacy.queue": "个人信息请求",
  "privacy.queue.none": "暂无待处理的请求。",
  "privacy.queue.due": "截止 {time}",
  "privacy.queue.carry_out": "立即删除",
  "privacy.queue.done": "已删除。",
};
