// Reading a store's community back: visible posts newest first, a page at a time, each with its
// author's name, counts, the viewer's like, its product card, its announced show and its comments.
import { and, asc, desc, eq, inArray, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "../../db/database.ts";
import { communityComments, communityLikes, communityPosts } from "../../db/schema/social.ts";
import type { LiveSession } from "../live/index.ts";
import type { ProductSummary } from "../orders/index.ts";
import type { CommunityCatalog, CommunityShows } from "./community.ts";

export interface CommunityComment {
  id: string;
  postId: string;
  author: { id: string; name: string };
  body: string;
  createdAt: Date;
}

export interface CommunityPost {
  id: string;
  storeId: string;
  author: { id: string; name: string };
  body: string;
  /** Where the picture is served, if the post has one. */
  pictureUrl: string | null;
  likes: number;
  commentCount: number;
  likedByViewer: boolean;
  product: ProductSummary | null;
  session: LiveSession | null;
  comments: CommunityComment[];
  createdAt: Date;
}

export interface CommunityPage {
  posts: CommunityPost[];
  /** Where the next (older) page starts; null on the last page. */
  nextCursor: string | null;
}

/** The comments shown under each post; older ones stay in the database. */
export const COMMENTS_SHOWN = 50;

const cursorPattern = /^(\d{1,15})\.(pst_[0-9A-Z]{26})$/;

export function encodeCursor(post: { createdAt: Date; id: string }): string {
  return `${post.createdAt.getTime()}.${post.id}`;
}

export function isCursor(value: string): boolean {
  return cursorPattern.test(value);
}

export function pictureUrl(key: string): string {
  return `/media/community/${key}`;
}

interface FeedDeps {
  db: Db;
  catalog: CommunityCatalog;
  live: CommunityShows;
  displayNames: (ids: readonly string[]) => Promise<Map<string, string>>;
}

export function createCommunityFeed({ db, catalog, live, displayNames }: FeedDeps) {
  async function productCard(productId: string): Promise<ProductSummary | null> {
    const product = await catalog.getPublishedProduct(productId).catch(() => null);
    if (!product) return null;
    const cheapest = product.skus.reduce((min, sku) => (sku.price.amount < min.price.amount ? sku : min), product.skus[0]!);
    return { id: product.id, storeId: product.storeId, titleZh: product.titleZh, titleEn: product.titleEn, fromPrice: cheapest.price, stock: product.stock };
  }

  async function commentsOf(postIds: readonly string[]): Promise<Map<string, CommunityComment[]>> {
    const byPost = new Map<string, CommunityComment[]>(postIds.map((id) => [id, []]));
    if (postIds.length === 0) return byPost;
    // The first COMMENTS_SHOWN of each post, counted in the database: a post with thousands of
    // comments costs no more than one with fifty.
    const ranked = db
      .select({
        id: communityComments.id,
        postId: communityComments.postId,
        authorId: communityComments.authorId,
        body: communityComments.body,
        createdAt: communityComments.createdAt,
        place: sql<number>`row_number() OVER (PARTITION BY ${communityComments.postId} ORDER BY ${communityComments.createdAt}, ${communityComments.id})`.as("place"),
      })
      .from(communityComments)
      .where(and(inArray(communityComments.postId, [...postIds]), eq(communityComments.status, "visible")))
      .as("ranked");
    const rows = await db.select().from(ranked).where(lte(ranked.place, COMMENTS_SHOWN)).orderBy(asc(ranked.createdAt), asc(ranked.id));
    const names = await displayNames([...new Set(rows.map((row) => row.authorId))]);
    for (const row of rows) byPost.get(row.postId)!.push({ id: row.id, postId: row.postId, author: { id: row.authorId, name: names.get(row.authorId) ?? "—" }, body: row.body, createdAt: row.createdAt });
    return byPost;
  }

  async function hydrate(rows: (typeof communityPosts.$inferSelect)[], viewerId: string | null): Promise<CommunityPost[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const liked = viewerId
      ? new Set((await db.select({ postId: communityLikes.postId }).from(communityLikes).where(and(eq(communityLikes.userId, viewerId), inArray(communityLikes.postId, ids)))).map((row) => row.postId))
      : new Set<string>();
    const names = await displayNames([...new Set(rows.map((row) => row.authorId))]);
    const comments = await commentsOf(ids);
    const products = new Map(await Promise.all([...new Set(rows.flatMap((row) => (row.productId ? [row.productId] : [])))].map(async (id) => [id, await productCard(id)] as const)));
    const sessions = new Map(await Promise.all([...new Set(rows.flatMap((row) => (row.sessionId ? [row.sessionId] : [])))].map(async (id) => [id, await live.getSession(id).catch(() => null)] as const)));
    return rows.map((row) => ({
      id: row.id,
      storeId: row.storeId,
      author: { id: row.authorId, name: names.get(row.authorId) ?? "—" },
      body: row.body,
      pictureUrl: row.imageKey ? pictureUrl(row.imageKey) : null,
      likes: row.likes,
      commentCount: row.comments,
      likedByViewer: liked.has(row.id),
      product: row.productId ? (products.get(row.productId) ?? null) : null,
      session: row.sessionId ? (sessions.get(row.sessionId) ?? null) : null,
      comments: comments.get(row.id) ?? [],
      createdAt: row.createdAt,
    }));
  }

  return {
    productCard,
    commentsOf,

    /** A page of the store's visible posts, newest first, starting after `cursor` when given. */
    async page(storeId: string, viewerId: string | null, cursor: string | null, limit: number): Promise<CommunityPage> {
      const after = cursor ? cursorPattern.exec(cursor) : null;
      const older = after ? or(lt(communityPosts.createdAt, new Date(Number(after[1]))), and(eq(communityPosts.createdAt, new Date(Number(after[1]))), lt(communityPosts.id, after[2]!))) : undefined;
      const rows = await db
        .select()
        .from(communityPosts)
        .where(and(eq(communityPosts.storeId, storeId), eq(communityPosts.status, "visible"), older))
        .orderBy(desc(communityPosts.createdAt), desc(communityPosts.id))
        .limit(limit + 1);
      const shown = rows.slice(0, limit);
      return { posts: await hydrate(shown, viewerId), nextCursor: rows.length > limit ? encodeCursor(shown[shown.length - 1]!) : null };
    },

    /** One visible post, as the page shows it; null when there is none. */
    async post(postId: string, viewerId: string | null): Promise<CommunityPost | null> {
      const [row] = await db.select().from(communityPosts).where(and(eq(communityPosts.id, postId), eq(communityPosts.status, "visible")));
      return row ? ((await hydrate([row], viewerId))[0] ?? null) : null;
    },
  };
}

export type CommunityFeed = ReturnType<typeof createCommunityFeed>;
