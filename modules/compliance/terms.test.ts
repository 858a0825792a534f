import { describe, expect, it } from "bun:test";
import { ALLOWED_PHRASES, BANNED_TERMS, createTermList, findBannedTerms, normaliseTerm } from "./terms.ts";

const terms = (text: string) => findBannedTerms(text).map((match) => match.term);

describe("banned terms: ordinary chat passes", () => {
  const ordinary = [
    "第一次来直播间，主播好可爱",
    "最后三单了，抓紧拍",
    "最近天气冷，这件外套有没有加绒？",
    "开播第一天，大家多多支持",
    "第 一 次买，求推荐尺码",
    "第1次下单有优惠吗",
    "第一款和第二款有什么区别",
    "第一时间发货吗？",
    "1号链接是什么颜色？",
    "这件T恤是100%纯棉的吗",
    "最多可以买几件？最快什么时候到？",
    "我最好先量一下腰围再拍",
    "最好还是买大一码",
    "唯一的缺点是有点贵",
    "直播间的美颜特效好自然",
    "商家不能随意拒绝对方的退货",
    "这个主播好治愈",
    "万能胶能粘陶瓷吗",
    "第十一号链接还有货吗",
    "Is the payment secure? I bought a manicure set last time",
    "Top 10 picks tonight? This is my first time here",
    "Any cured ham in stock?",
    "The first one is the best looking, love it",
  ];
  for (const line of ordinary) it(line, () => expect(findBannedTerms(line)).toEqual([]));
});

describe("banned terms: claims are caught", () => {
  const claims: [string, string[]][] = [
    ["全网最低价，错过等一年", ["全网最低价"]],
    ["这款面霜是国家级产品", ["国家级产品"]],
    ["销量第一的爆款，闭眼入", ["销量第一"]],
    ["这是最好看的一款", ["最好"]],
    ["我们家是第一品牌", ["第一品牌"]],
    ["第1名的口碑", ["第一名"]],
    ["100%有效，无效退款", ["100%有效", "无效退款"]],
    ["三天根治脚气", ["根治"]],
    ["特效祛痘，立竿见影", ["特效", "立竿见影"]],
    ["独一无二的设计，史无前例的低价", ["独一无二", "史无前例"]],
    ["绝对正品，永久保修", ["绝对", "永久"]],
    ["世界级工艺，顶级面料，极品好茶", ["世界级", "顶级", "极品"]],
    ["首选品牌，王牌产品，领袖品牌", ["首选", "王牌", "领袖品牌"]],
    ["万能神器，唯一指定", ["万能", "唯一"]],
    ["最便宜的就在这，最优惠的价格", ["最便宜", "最优"]],
    ["无副作用，孕妇也能吃", ["无副作用"]],
    ["Best in the world, number one seller!", ["best in the world", "number one"]],
    ["#1 choice, 100% guaranteed", ["#1", "100% guaranteed"]],
    ["It cures acne in 3 days, no side effects", ["cures", "no side effects"]],
    ["这是No1爆款，TOP1好物", ["no.1", "top1"]],
  ];
  for (const [line, expected] of claims) it(line, () => expect(terms(line)).toEqual(expected));

  it("reports each match's category and where it stands in the original text", () => {
    const text = "真的，最 好 用！100 %有效，根治";
    const found = findBannedTerms(text);
    expect(found.map(({ term, category }) => [term, category])).toEqual([
      ["最好", "absolute"],
      ["100%有效", "guarantee"],
      ["根治", "medical"],
    ]);
    expect(found.map(({ index, length }) => text.slice(index, index + length))).toEqual(["最 好", "100 %有效", "根治"]);
  });
});

describe("banned terms: evasion", () => {
  const evasions: [string, string][] = [
    ["最 好 的 面 膜", "最好"],
    ["最*好*的", "最好"],
    ["最.佳.选.择", "最佳"],
    ["最\u200b便宜", "最便宜"],
    ["最😊好", "最好"],
    ["第 一 品 牌", "第一品牌"],
    ["销-量-第-一", "销量第一"],
    ["ＮＯ．１的口碑", "no.1"],
    ["Ｎｏ １", "no.1"],
    ["No. 1 in China", "no.1"],
    ["ｔｏｐ　１", "top1"],
    ["＃１", "#1"],
    ["１００％有效", "100%有效"],
    ["國家級認證", "国家级"],
    ["獨一無二", "独一无二"],
    ["絕對正品", "绝对"],
    ["BEST IN THE WORLD", "best in the world"],
    ["b-e-s-t in the w.o.r.l.d", "best in the world"],
    ["c u r e", "cure"],
    ["world’s best tea", "world's best"],
  ];
  for (const [line, term] of evasions) it(line, () => expect(terms(line)).toEqual([term]));
});

describe("banned terms: boundaries and precedence", () => {
  it("matches Latin terms as whole words only", () => {
    expect(terms("secure, obscure, manicure, pedicure")).toEqual([]);
    expect(terms("laptop1 and piano1")).toEqual([]);
    expect(terms("top10, no.12, #10")).toEqual([]);
    expect(terms("cure")).toEqual(["cure"]);
    expect(terms("爆款cure")).toEqual(["cure"]);
  });

  it("lets an allowed phrase excuse only what starts inside it", () => {
    expect(terms("第一次")).toEqual([]);
    expect(terms("第一")).toEqual(["第一"]);
    expect(terms("销量第一款")).toEqual(["销量第一"]);
    expect(terms("第一次就买到最好的")).toEqual(["最好"]);
    expect(terms("美颜特效，特效祛斑")).toEqual(["特效"]);
    expect(terms("治愈系主播，治愈脱发")).toEqual(["治愈"]);
    expect(terms("第10名")).toEqual([]);
  });

  it("prefers the longest term at a position", () => {
    expect(terms("史上最低")).toEqual(["史上最低"]);
    expect(terms("史上最好")).toEqual(["史上最"]);
    expect(terms("国家级")).toEqual(["国家级"]);
    expect(terms("miracle cure")).toEqual(["miracle cure"]);
  });

  it("finds nothing in empty or symbol-only text", () => {
    expect(findBannedTerms("")).toEqual([]);
    expect(findBannedTerms(" ，。！*** ")).toEqual([]);
  });
});

describe("term lists", () => {
  it("keeps every default term and allowed phrase matchable", () => {
    for (const list of Object.values(BANNED_TERMS)) for (const term of list) expect(normaliseTerm(term)).not.toBe("");
    for (const phrase of ALLOWED_PHRASES) expect(normaliseTerm(phrase)).not.toBe("");
    const list = createTermList();
    for (const { term } of list.terms) expect(list.find(term).map((m) => m.term)).not.toEqual([]);
    for (const phrase of ALLOWED_PHRASES) expect(list.find(phrase)).toEqual([]);
  });

  it("takes officers' additions, with a category or as absolute terms", () => {
    const list = createTermList(["秒杀全网", { term: "包瘦", category: "guarantee" }]);
    expect(list.find("秒 杀 全 网，包瘦")).toEqual([
      { term: "秒杀全网", index: 0, length: 7, category: "absolute" },
      { term: "包瘦", index: 8, length: 2, category: "guarantee" },
    ]);
    expect(findBannedTerms("秒杀全网，包瘦")).toEqual([]);
  });

  it("bans an officer's term even where the default list allows the phrase", () => {
    expect(createTermList(["第一次"]).find("第一次")).toMatchObject([{ term: "第一次" }]);
  });

  it("takes officers' allowed phrases", () => {
    expect(createTermList([], ["唯一指定"]).find("唯一指定，唯一")).toMatchObject([{ term: "唯一", index: 5 }]);
  });

  it("refuses a term with nothing left to match", () => {
    expect(() => createTermList(["* *"])).toThrow("banned_term_empty");
  });
});
