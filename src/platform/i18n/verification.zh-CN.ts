// 主播实名认证的中文文案（主播提交与合规专员审核）。
import type { verificationEn } from "./verification.en.ts";

export const verificationZhCN: { readonly [K in keyof typeof verificationEn]: string } = {
  "verification.title": "实名认证",
  "verification.intro": "主播需经合规专员核验真实姓名和身份证件后方可开播。您的信息加密保存，仅合规专员可见。",
  "verification.real_name": "真实姓名",
  "verification.id_number": "居民身份证号码",
  "verification.document": "身份证照片（JPEG、PNG 或 WebP，不超过 5 MB）",
  "verification.submit": "提交审核",
  "verification.status.none": "未提交",
  "verification.status.pending": "等待审核",
  "verification.status.approved": "已通过：可以开播",
  "verification.status.rejected": "未通过",
  "verification.invalid.name": "请填写与证件一致的真实姓名。",
  "verification.invalid.id": "请填写 18 位居民身份证号码（最后一位可以是 X）。",
  "verification.invalid.document": "请上传不超过 5 MB 的身份证照片（JPEG、PNG 或 WebP）。",
  "verification.queue": "待审核的主播实名认证",
  "verification.none_waiting": "暂无待审核的申请。",
  "verification.reveal": "查看姓名和身份证号",
  "verification.reveal_reason": "查看原因（将被记录）",
  "verification.approve": "通过",
  "verification.reject": "驳回",
  "verification.note": "原因（驳回时必填，主播可见）",
  "verification.document_link": "证件照片",
  "verification.submitted": "提交于 {time}",
  "verification.decided": "审核结果已保存。",
};
