// The demo data `npm start` seeds into an empty database: one tea-and-crafts store, its staff,
// two hosts, twelve products, a scheduled and a finished live session, shoppers, an officer, an admin.
import type { Role } from "../src/platform/roles.ts";
import type { NewProduct } from "../modules/orders/index.ts";

export const DEMO_PASSWORD = "broadcart-demo";

export interface DemoAccount {
  key: string;
  email: string;
  displayName: string;
  roles: Role[];
}

export const demoAccounts: DemoAccount[] = [
  { key: "admin", email: "admin@demo.broadcart.test", displayName: "平台管理员 Admin", roles: ["admin"] },
  { key: "officer", email: "officer@demo.broadcart.test", displayName: "合规专员 赵敏", roles: ["officer"] },
  { key: "owner", email: "owner@demo.broadcart.test", displayName: "陈立 Chen Li", roles: ["merchant"] },
  { key: "staff", email: "staff@demo.broadcart.test", displayName: "店员 吴倩", roles: ["merchant"] },
  { key: "hostLin", email: "host.lin@demo.broadcart.test", displayName: "林小夏", roles: ["host", "shopper"] },
  { key: "hostZhou", email: "host.zhou@demo.broadcart.test", displayName: "周一鸣", roles: ["host", "shopper"] },
  { key: "shopperWang", email: "shopper@demo.broadcart.test", displayName: "王小明", roles: ["shopper"] },
  { key: "shopperLi", email: "li.na@demo.broadcart.test", displayName: "李娜", roles: ["shopper"] },
  { key: "shopperEmma", email: "emma@demo.broadcart.test", displayName: "Emma Clarke", roles: ["shopper"] },
];

export const demoStore = { nameZh: "山居茶舍", nameEn: "Hillside Tea House", currency: "CNY" };

/** A valid EAN-13 barcode from a 12-digit body (690–699 are China's GS1 prefixes). */
export function ean13(body: string): string {
  const sum = [...body].reduce((acc, digit, i) => acc + Number(digit) * (i % 2 === 0 ? 1 : 3), 0);
  return body + ((10 - (sum % 10)) % 10);
}

type SeedSku = NewProduct["skus"][number];
const sku = (code: string, n: number, optionZh: string, optionEn: string, priceFen: number, stock: number): SeedSku => ({
  code,
  barcode: ean13(`69212345${String(n).padStart(4, "0")}`),
  optionZh,
  optionEn,
  priceFen,
  stock,
});

export const demoProducts: Omit<NewProduct, "storeId">[] = [
  {
    titleZh: "明前西湖龙井 2026 春茶",
    titleEn: "West Lake Longjing, 2026 pre-Qingming harvest",
    descriptionZh: "杭州西湖产区明前采摘，扁平光滑，豆香清雅。",
    descriptionEn: "Picked before Qingming in the West Lake area of Hangzhou: flat, smooth leaves with a gentle chestnut aroma.",
    status: "published",
    skus: [sku("TEA-LJ-200", 1, "罐装 200g", "Tin, 200 g", 16800, 120), sku("TEA-LJ-GIFT", 2, "礼盒 2×200g", "Gift box, 2 × 200 g", 31800, 40)],
  },
  {
    titleZh: "云南勐海普洱熟茶饼 357g",
    titleEn: "Menghai ripe Pu'er tea cake, 357 g",
    descriptionZh: "2019 年压制，汤色红浓，陈香明显。",
    descriptionEn: "Pressed in 2019; a deep red liquor with a mellow aged aroma.",
    status: "published",
    skus: [sku("TEA-PE-357", 3, "单饼 357g", "One cake, 357 g", 12800, 60)],
  },
  {
    titleZh: "手工桂花糕",
    titleEn: "Handmade osmanthus cakes",
    descriptionZh: "当天现做，糯米与金桂，甜而不腻。",
    descriptionEn: "Made fresh each day from glutinous rice and golden osmanthus; sweet but light.",
    status: "published",
    skus: [sku("SNK-GHG-6", 4, "6 块装", "Box of 6", 2990, 300), sku("SNK-GHG-12", 5, "12 块装", "Box of 12", 5500, 150)],
  },
  {
    titleZh: "杭州真丝印花围巾",
    titleEn: "Hangzhou printed silk scarf",
    descriptionZh: "16 姆米桑蚕丝，手工卷边。",
    descriptionEn: "16-momme mulberry silk with hand-rolled edges.",
    status: "published",
    skus: [sku("SLK-SC-CEL", 6, "青瓷色", "Celadon", 23900, 25), sku("SLK-SC-RGE", 7, "胭脂色", "Rouge", 23900, 18)],
  },
  {
    titleZh: "景德镇手绘青花茶杯",
    titleEn: "Jingdezhen hand-painted blue-and-white teacup",
    descriptionZh: "高温白瓷，每只纹样略有不同。",
    descriptionEn: "High-fired porcelain; every cup's pattern is a little different.",
    status: "published",
    skus: [sku("CER-CUP-BW", 8, "单只 120ml", "Single cup, 120 ml", 8900, 75)],
  },
  {
    titleZh: "宜兴原矿紫砂壶 西施",
    titleEn: "Yixing zisha clay teapot, Xi Shi shape",
    descriptionZh: "原矿紫泥全手工，容量 220ml。",
    descriptionEn: "Fully handmade from raw purple clay; holds 220 ml.",
    status: "published",
    skus: [sku("CER-POT-XS", 9, "220ml", "220 ml", 45800, 12)],
  },
  {
    titleZh: "新疆若羌有机灰枣 500g",
    titleEn: "Organic Ruoqiang jujubes from Xinjiang, 500 g",
    descriptionZh: "有机认证，肉厚核小。",
    descriptionEn: "Certified organic; thick flesh and small stones.",
    status: "published",
    skus: [sku("SNK-DATE-500", 10, "500g 袋装", "500 g bag", 3990, 200)],
  },
  {
    titleZh: "竹纤维短袖T恤",
    titleEn: "Bamboo-fibre short-sleeved T-shirt",
    descriptionZh: "透气柔软，适合夏天。",
    descriptionEn: "Soft and breathable for summer.",
    status: "published",
    skus: [sku("APP-TEE-S", 11, "S 码", "Size S", 7900, 50), sku("APP-TEE-M", 12, "M 码", "Size M", 7900, 80), sku("APP-TEE-L", 13, "L 码", "Size L", 7900, 60)],
  },
  {
    titleZh: "山茶花护手霜 50ml",
    titleEn: "Camellia hand cream, 50 ml",
    descriptionZh: "山茶籽油滋润，不黏腻。",
    descriptionEn: "Camellia seed oil that soothes without feeling greasy.",
    status: "published",
    skus: [sku("CSM-HC-50", 14, "50ml", "50 ml", 4500, 150)],
  },
  {
    titleZh: "四川牛肉干",
    titleEn: "Sichuan beef jerky",
    descriptionZh: "黄牛后腿肉，两种口味。",
    descriptionEn: "Made from beef hind leg, in two flavours.",
    status: "published",
    skus: [sku("SNK-BJ-MALA", 15, "麻辣 200g", "Mala spicy, 200 g", 4990, 180), sku("SNK-BJ-5SP", 16, "五香 200g", "Five-spice, 200 g", 4990, 120)],
  },
  {
    titleZh: "桑蚕丝夏凉被",
    titleEn: "Mulberry silk summer duvet",
    descriptionZh: "100% 桑蚕丝填充，轻薄透气。",
    descriptionEn: "Filled with 100% mulberry silk; light and breathable.",
    status: "published",
    skus: [sku("HOM-DUV-150", 17, "150×200cm", "150 × 200 cm", 89900, 10), sku("HOM-DUV-200", 18, "200×230cm", "200 × 230 cm", 129900, 6)],
  },
  {
    titleZh: "安吉竹编收纳篮",
    titleEn: "Anji woven bamboo basket",
    descriptionZh: "手工竹编，本批已售罄，补货中。",
    descriptionEn: "Hand-woven bamboo; this batch is sold out and more are on the way.",
    status: "published",
    skus: [sku("HOM-BSK-M", 19, "中号", "Medium", 6800, 0)],
  },
];
