// Banned advertising terms for live chat and product copy: the absolute terms of the Advertising
// Law art. 9(3) (国家级, 最高级, 最佳 and the like), the medical and guarantee claims that platform
// rules (Douyin, Taobao) refuse outside licensed drug ads, and their English equivalents.
//
// The list is data: BANNED_TERMS and ALLOWED_PHRASES below are the only place terms live, and
// createTermList() takes officers' additions on top of them.
//
// Matching, in order:
//  1. Normalise each character of the text on its own, so every hit maps back to an index in the
//     original: NFKC (full-width ＮＯ．１ → no.1), lower case, traditional → simplified for the
//     characters the list uses (國家級 → 国家级).
//  2. Drop what evaders slip between characters: spaces, punctuation, symbols, emoji, zero-width
//     and combining marks (最 好, 最*好, 第 一, 最\u200b佳). "%" and "#" stay: they carry meaning
//     in 100% and #1.
//  3. Scan left to right; at each position take the longest entry that matches, banned term or
//     allowed phrase. A banned term is reported and skipped; an allowed phrase is skipped silently.
//     So 第一次 (first time) passes though 第一 is banned, 销量第一 is caught before 第一款 can
//     excuse it, and on a tie a banned term wins.
//  4. Terms that begin or end with a Latin letter or digit match whole words only (cure is not
//     in secure, top1 not in laptop1 or top10).
import { BadRequest } from "../../src/platform/errors.ts";

export type TermCategory = "absolute" | "medical" | "guarantee";

export interface BannedTerm {
  term: string;
  category: TermCategory;
}

export interface BannedTermMatch {
  /** The list's term, as written in the list (not the text's spelling of it). */
  term: string;
  /** Where the match starts in the text given, in UTF-16 code units (a JavaScript string index). */
  index: number;
  /** How many UTF-16 code units of the text the match spans, evasion characters included. */
  length: number;
  category: TermCategory;
}

/** An officer's addition: a bare string is an absolute term. */
export type ExtraTerm = string | BannedTerm;

export interface TermList {
  /** Every banned term in the text, in order of appearance; none overlap. */
  find(text: string): BannedTermMatch[];
  readonly terms: readonly BannedTerm[];
  readonly allowed: readonly string[];
}

export const BANNED_TERMS: Readonly<Record<TermCategory, readonly string[]>> = {
  absolute: [
    // 最 + adjective. 最 alone is not banned: 最后, 最近, 最多, 最快, 最初, 最终 are ordinary words.
    "最好", "最佳", "最优", "最优秀", "最强", "最棒", "最牛", "最火", "最热销", "最畅销", "最受欢迎",
    "最便宜", "最低价", "最实惠", "最划算", "最超值", "最高级", "最高端", "最高档", "最顶级", "最先进",
    "最权威", "最专业", "最正宗", "最完美", "最时尚", "最流行", "最奢华", "最有效", "最安全", "最健康",
    "最环保", "最舒适", "最耐用", "最值得", "最靠谱", "最齐全",
    "史上最", "全网最", "全球最", "全国最", "宇宙最", "史上最低", "全网最低", "全网最低价",
    // 第一 and rankings. 第一 followed by a measure word (第一次, 第一天, 第一款…) is allowed below.
    "第一", "第一名", "第一品牌", "全网第一", "销量第一", "排名第一", "全国第一", "全球第一", "世界第一",
    "中国第一", "行业第一", "天下第一", "销冠", "销量冠军", "no.1", "top1", "#1",
    // Levels and uniqueness.
    "国家级", "国家级产品", "国际级", "世界级", "宇宙级", "顶级", "顶尖", "极品", "至尊", "巅峰",
    "独一无二", "绝无仅有", "史无前例", "前所未有", "空前绝后", "无与伦比", "无敌", "遥遥领先",
    "万能", "绝对", "永久", "首选", "唯一", "王牌", "领袖品牌", "领导品牌", "领先品牌",
    "国家免检", "国家推荐",
    // English.
    "best in the world", "world's best", "best ever", "number one", "number 1", "top 1",
    "world class", "cheapest", "lowest price",
  ],
  medical: [
    "根治", "治愈", "特效", "特效药", "神药", "药到病除", "包治百病", "永不复发", "一次根治",
    "无副作用", "零副作用", "无毒副作用", "抗癌", "防癌", "治癌", "抗肿瘤",
    "降血压", "降血糖", "降血脂", "降三高", "祖传秘方",
    "cure", "cures", "cured", "miracle cure", "no side effects", "zero side effects", "anti-cancer",
  ],
  guarantee: [
    "100%有效", "100%保证", "100%安全", "100%成功", "100%治愈", "100%无副作用", "100%不反弹",
    "百分百有效", "百分之百有效", "百分百保证", "百分之百保证", "保证有效", "保证治愈", "保证疗效",
    "无效退款", "稳赚", "稳赚不赔", "保本", "零风险", "一用就灵", "立竿见影", "永不反弹",
    "100% guaranteed", "100% effective", "100% safe", "guaranteed results", "guaranteed to work", "risk-free",
  ],
};

/**
 * Ordinary phrases that contain a banned term. Each is excused only where it is the longest match
 * starting at its position, so it cannot hide a banned term that starts earlier.
 */
export const ALLOWED_PHRASES: readonly string[] = [
  // 第一 + measure word or time: an ordinal, not a ranking.
  ...[
    "次", "天", "步", "眼", "批", "单", "件", "个", "位", "轮", "波", "期", "场", "款", "号", "排", "周", "年",
    "口", "章", "节", "页", "条", "组", "套", "季", "集", "份", "杯", "双", "盒", "箱", "袋", "瓶", "支", "只",
    "把", "张", "颗", "道", "层", "段", "回", "遍", "下", "点", "种", "代", "站", "百", "千", "万",
    "手", "时间", "印象", "感觉", "阶段", "部分",
  ].map((word) => `第一${word}`),
  // 最好 as "had better": advice, not a claim.
  "最好先", "最好还是", "最好不要", "最好别",
  // 唯一 in an honest remark.
  "唯一的缺点", "唯一缺点", "唯一的不足", "唯一不足",
  // 绝对 inside other words (拒绝对方 = refuse the other party).
  "拒绝", "杜绝", "谢绝",
  // 特效 as visual effects in the live room.
  "美颜特效", "特效滤镜", "视频特效", "直播特效", "礼物特效", "特效道具",
  // 治愈 as "soothing".
  "治愈系", "好治愈", "很治愈", "太治愈", "超治愈",
  // Product names.
  "万能胶", "万能充", "万能表",
  // Live-commerce link numbers, cured food, nail gel.
  "#1号", "cured meat", "cured ham", "cured bacon", "cured pork", "cured sausage", "cured fish",
  "cure time", "uv cure", "led cure",
];

/** Traditional → simplified, for the characters the list and its allowed phrases use. */
const TRADITIONAL =
  "國国級级頂顶獨独無无絕绝對对萬万極极僅仅價价優优強强銷销藥药療疗癒愈領领選选證证實实劃划權权專专業业進进時时賣卖" +
  "歡欢暢畅導导網网質质贏赢穩稳賺赚險险風风靈灵見见復复發发彈弹歷历後后號号個个張张雙双層层條条組组節节頁页場场輪轮" +
  "週周單单點点種种類类階阶齊齐貨货譜谱軍军廣广壓压腫肿與与還还別别謝谢顏颜濾滤鏡镜視视頻频禮礼華华適适環环減减勁劲" +
  "賠赔際际巔巅敵敌遙遥遠远倫伦費费盡尽傳传祕秘誤误產产認认購购買买";
const toSimplified = new Map<string, string>();
for (let i = 0; i + 1 < TRADITIONAL.length; i += 2) toSimplified.set(TRADITIONAL[i]!, TRADITIONAL[i + 1]!);

/** Characters dropped before matching, wherever they stand; "%" and "#" are kept. */
const IGNORED = /[\p{White_Space}\p{P}\p{S}\p{C}\p{M}]/u;
const KEPT = new Set(["%", "#"]);
const LATIN_OR_DIGIT = /^[a-z0-9]$/;

/** One code point of text, normalised, as zero or more significant characters. */
function normaliseCodePoint(codePoint: string): string[] {
  const out: string[] = [];
  for (const char of codePoint.normalize("NFKC").toLowerCase()) {
    if (KEPT.has(char) || !IGNORED.test(char)) out.push(toSimplified.get(char) ?? char);
  }
  return out;
}

interface Significant {
  char: string;
  /** Where the code point it came from starts and ends in the original text. */
  start: number;
  end: number;
}

function significantCharacters(text: string): Significant[] {
  const out: Significant[] = [];
  let index = 0;
  for (const codePoint of text) {
    const end = index + codePoint.length;
    for (const char of normaliseCodePoint(codePoint)) out.push({ char, start: index, end });
    index = end;
  }
  return out;
}

/** A term or phrase in matching form: its significant characters. */
export function normaliseTerm(term: string): string {
  return [...term].flatMap(normaliseCodePoint).join("");
}

interface Node {
  next: Map<string, Node>;
  banned?: BannedTerm;
  allowed?: boolean;
}

/** Whether the code point of the original text just before or after `index` is a Latin letter or digit. */
function latinNeighbour(text: string, index: number, before: boolean): boolean {
  const neighbour = before ? [...text.slice(Math.max(0, index - 2), index)].pop() : [...text.slice(index, index + 2)][0];
  return neighbour !== undefined && normaliseCodePoint(neighbour).some((c) => LATIN_OR_DIGIT.test(c));
}

/** 第一 terms and phrases are also written 第1 (第1名, 第1次). */
function withDigitVariants(term: string): string[] {
  return term.includes("第一") ? [term, term.replaceAll("第一", "第1")] : [term];
}

/**
 * The default list plus an officer's additions. Throws BadRequest("banned_term_empty") for an
 * addition with nothing left to match once spaces and punctuation are dropped.
 */
export function createTermList(extraTerms: readonly ExtraTerm[] = [], extraAllowed: readonly string[] = []): TermList {
  const terms: BannedTerm[] = [];
  for (const category of Object.keys(BANNED_TERMS) as TermCategory[]) {
    for (const term of BANNED_TERMS[category]) terms.push({ term, category });
  }
  for (const extra of extraTerms) terms.push(typeof extra === "string" ? { term: extra, category: "absolute" } : extra);
  const allowed = [...ALLOWED_PHRASES, ...extraAllowed];

  const root: Node = { next: new Map() };
  const insert = (form: string): Node => {
    if (form === "") throw new BadRequest("banned_term_empty");
    let node = root;
    for (const char of form) {
      let child = node.next.get(char);
      if (!child) node.next.set(char, (child = { next: new Map() }));
      node = child;
    }
    return node;
  };
  for (const phrase of allowed) for (const variant of withDigitVariants(phrase)) insert(normaliseTerm(variant)).allowed = true;
  // The first spelling of a term keeps it: the default list's category wins over an officer's duplicate.
  for (const entry of terms) for (const variant of withDigitVariants(entry.term)) {
    const node = insert(normaliseTerm(variant));
    node.banned ??= entry;
  }

  function find(text: string): BannedTermMatch[] {
    const chars = significantCharacters(text);
    const matches: BannedTermMatch[] = [];
    let i = 0;
    while (i < chars.length) {
      let node: Node | undefined = root;
      let best: { end: number; banned?: BannedTerm } | undefined;
      for (let j = i; j < chars.length; j++) {
        node = node.next.get(chars[j]!.char);
        if (!node) break;
        if (!node.banned && !node.allowed) continue;
        const first = chars[i]!;
        const last = chars[j]!;
        // Whole words only where a term begins or ends with a Latin letter or digit.
        if (LATIN_OR_DIGIT.test(first.char) && latinNeighbour(text, first.start, true)) continue;
        if (LATIN_OR_DIGIT.test(last.char) && latinNeighbour(text, last.end, false)) continue;
        best = { end: j + 1, banned: node.banned };
      }
      if (!best) {
        i++;
        continue;
      }
      if (best.banned) {
        const start = chars[i]!.start;
        matches.push({ term: best.banned.term, index: start, length: chars[best.end - 1]!.end - start, category: best.banned.category });
      }
      i = best.end;
    }
    return matches;
  }

  return { find, terms, allowed };
}

const defaultList = createTermList();

/** Every banned term of the default list in the text; see createTermList for officers' additions. */
export function findBannedTerms(text: string): BannedTermMatch[] {
  return defaultList.find(text);
}
