// 隐私相关文案：账户页的个人数据导出。
export const privacyZhCN = {
  "privacy.export.title": "我的数据",
  "privacy.export.hint": "以一个 JSON 文件下载 Broadcart 保存的关于你的全部数据（账户、订单及收货地址、售后申请、领取的优惠券）。",
  "privacy.export.button": "导出我的数据（JSON）",
};
