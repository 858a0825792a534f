// Store communities: the store's owner, staff and hosts post (text, a picture, a product card, an
// upcoming show); signed-in shoppers comment and like; staff remove content and mute members.
// Posts and comments pass the compliance term list before anything is stored. Owns the community_*
// tables of db/schema/social.ts; stores, products and shows come from the catalog and live services.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database, Queryable } from "../../db/database.ts";
import { communityComments, communityLikes, communityMutes, communityPosts } from "../../db/schema/social.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Live, LiveSession } from "../live/index.ts";
import { imageExtensions, isStorageKey, sniffImageType, type Catalog, type ImageStore, type ProductSummary, type StoredImage } from "../orders/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { NotFound } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import { createCommunityFeed, type CommunityComment } from "./community-feed.ts";
import { CannotMuteStaff, CommunityTextRefused, MutedInCommunity, NotACommunityAuthor, NotCommunityStaff, PostAttachmentInvalid, PostPictureRejected } from "./community-errors.ts";

export const PICTURE_MAX_BYTES = 5 * 1024 * 1024;
/** What an erased member's posts and comments say instead; they still count. */
export const ERASED_BODY = "—";

/** What the community needs of the catalog: the store, its staff and hosts, its products. */
export type CommunityCatalog = Pick<Catalog, "getStore" | "storesOf" | "managedStores" | "getPublishedProduct" | "listPublishedProducts">;
/** What the community needs of live: shows it announces, and who hosts the store's shows. */
export type CommunityShows = Pick<Live, "getSession" | "sessionsOfHost" | "board">;

export interface CommunityDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  images: ImageStore;
  catalog: CommunityCatalog;
  live: CommunityShows;
  /** The compliance module's banned-term check: the distinct terms found in the text. */
  bannedTerms: (text: string) => string[];
  displayNames: (ids: readonly string[]) => Promise<Map<string, string>>;
}

export interface NewPost {
  storeId: string;
  body: string;
  picture: Uint8Array | null;
  productId: string | null;
  sessionId: string | null;
}

/** What a person may do in a store's community. */
export interface CommunityStanding {
  staff: boolean;
  author: boolean;
  muted: boolean;
}

export interface MutedMember {
  userId: string;
  name: string;
  reason: string | null;
  mutedAt: Date;
}

export function createCommunity(deps: CommunityDeps) {
  const { database, audit, clock, images, catalog, live, bannedTerms, displayNames } = deps;
  const { db } = database;
  const feed = createCommunityFeed({ db, catalog, live, displayNames });

  const isStaff = async (storeId: string, userId: string) => (await catalog.managedStores(userId)).some((store) => store.id === storeId);
  // A host belongs to a store by its staff list (position "host") or by hosting one of its shows that
  // is still scheduled or live: a guest host's rights end with their show, not with a past one.
  async function isAuthor(storeId: string, userId: string) {
    if ((await catalog.storesOf(userId)).some((store) => store.id === storeId)) return true;
    return (await live.sessionsOfHost(userId, 500)).some((session) => session.store.id === storeId && (session.status === "scheduled" || session.status === "live"));
  }

  async function isMuted(q: Queryable, storeId: string, userId: string) {
    const [row] = await q.select({ userId: communityMutes.userId }).from(communityMutes).where(and(eq(communityMutes.storeId, storeId), eq(communityMutes.userId, userId)));
    return !!row;
  }

  function refuseBannedTerms(text: string) {
    const terms = bannedTerms(text);
    if (terms.length) throw new CommunityTextRefused(terms);
  }

  async function visiblePost(q: Queryable, postId: string) {
    const [row] = await q.select().from(communityPosts).where(and(eq(communityPosts.id, postId), eq(communityPosts.status, "visible")));
    if (!row) throw new NotFound("community_post_not_found");
    return row;
  }

  async function requireStaff(storeId: string, userId: string) {
    if (!(await isStaff(storeId, userId))) throw new NotCommunityStaff();
  }

  async function storePicture(picture: Uint8Array): Promise<string> {
    const type = sniffImageType(picture);
    if (!type || picture.length > PICTURE_MAX_BYTES) throw new PostPictureRejected();
    const key = `${newId("pst", clock.now().getTime())}.${imageExtensions[type]}`;
    await images.put(key, picture, type);
    return key;
  }

  return {
    page: feed.page,
    post: feed.post,

    async standing(storeId: string, userId: string | null): Promise<CommunityStanding> {
      if (!userId) return { staff: false, author: false, muted: false };
      const [staff, author, muted] = await Promise.all([isStaff(storeId, userId), isAuthor(storeId, userId), isMuted(db, storeId, userId)]);
      return { staff, author, muted };
    },

    /** What a new post may feature: the store's published products and its upcoming shows. */
    async attachable(storeId: string): Promise<{ products: ProductSummary[]; sessions: LiveSession[] }> {
      const [products, board] = await Promise.all([catalog.listPublishedProducts(500), live.board(200)]);
      return { products: products.filter((p) => p.storeId === storeId), sessions: board.upcoming.filter((s) => s.store.id === storeId) };
    },

    /**
     * A post by the store's staff or one of its hosts. The text is checked first (nothing is stored
     * when it is refused), the picture is stored before the row and deleted again if the row is not.
     */
    async createPost(authorId: string, input: NewPost): Promise<string> {
      await catalog.getStore(input.storeId);
      if (!(await isAuthor(input.storeId, authorId))) throw new NotACommunityAuthor();
      refuseBannedTerms(input.body);
      if (input.productId && (await feed.productCard(input.productId))?.storeId !== input.storeId) throw new PostAttachmentInvalid("productId");
      if (input.sessionId) {
        const session = await live.getSession(input.sessionId).catch(() => null);
        if (session?.store.id !== input.storeId || session.status !== "scheduled") throw new PostAttachmentInvalid("sessionId");
      }
      if (await isMuted(db, input.storeId, authorId)) throw new MutedInCommunity();
      const imageKey = input.picture ? await storePicture(input.picture) : null;
      const now = clock.now();
      const id = newId("pst", now.getTime());
      try {
        await database.write(async (tx) => {
          await tx.insert(communityPosts).values({ id, storeId: input.storeId, authorId, body: input.body, imageKey, productId: input.productId, sessionId: input.sessionId, status: "visible", createdAt: now });
          await audit.record(tx, { actor: { type: "user", id: authorId }, action: "community.posted", subject: `community_post:${id}`, data: { storeId: input.storeId, imageKey, productId: input.productId, sessionId: input.sessionId } });
        });
      } catch (error) {
        if (imageKey) await images.delete(imageKey).catch(() => undefined);
        throw error;
      }
      return id;
    },

    async comment(userId: string, postId: string, body: string): Promise<CommunityComment> {
      refuseBannedTerms(body);
      const now = clock.now();
      const id = newId("pcm", now.getTime());
      await database.write(async (tx) => {
        const post = await visiblePost(tx, postId);
        if (await isMuted(tx, post.storeId, userId)) throw new MutedInCommunity();
        await tx.insert(communityComments).values({ id, postId, authorId: userId, body, status: "visible", createdAt: now });
        await tx.update(communityPosts).set({ comments: sql`${communityPosts.comments} + 1` }).where(eq(communityPosts.id, postId));
      });
      return { id, postId, author: { id: userId, name: (await displayNames([userId])).get(userId) ?? "—" }, body, createdAt: now };
    },

    /** Likes the post once however often it is asked; the new count. */
    async like(userId: string, postId: string): Promise<number> {
      return database.write(async (tx) => {
        const post = await visiblePost(tx, postId);
        if (await isMuted(tx, post.storeId, userId)) throw new MutedInCommunity();
        const added = await tx.insert(communityLikes).values({ postId, userId, createdAt: clock.now() }).onConflictDoNothing().returning({ postId: communityLikes.postId });
        if (added.length === 0) return post.likes;
        const [updated] = await tx.update(communityPosts).set({ likes: sql`${communityPosts.likes} + 1` }).where(eq(communityPosts.id, postId)).returning({ likes: communityPosts.likes });
        return updated!.likes;
      });
    },

    /** Taking a like back is allowed while muted: it adds nothing to the community. */
    async unlike(userId: string, postId: string): Promise<number> {
      return database.write(async (tx) => {
        const post = await visiblePost(tx, postId);
        const removed = await tx.delete(communityLikes).where(and(eq(communityLikes.postId, postId), eq(communityLikes.userId, userId))).returning({ postId: communityLikes.postId });
        if (removed.length === 0) return post.likes;
        const [updated] = await tx.update(communityPosts).set({ likes: sql`${communityPosts.likes} - 1` }).where(eq(communityPosts.id, postId)).returning({ likes: communityPosts.likes });
        return updated!.likes;
      });
    },

    /** Takes a post down; returns its store's id. */
    async removePost(staffId: string, postId: string): Promise<string> {
      const [row] = await db.select({ storeId: communityPosts.storeId }).from(communityPosts).where(eq(communityPosts.id, postId));
      if (!row) throw new NotFound("community_post_not_found");
      await requireStaff(row.storeId, staffId);
      await database.write(async (tx) => {
        const post = await visiblePost(tx, postId);
        await tx.update(communityPosts).set({ status: "removed" }).where(eq(communityPosts.id, postId));
        await audit.record(tx, { actor: { type: "user", id: staffId }, action: "community.post_removed", subject: `community_post:${postId}`, data: { storeId: post.storeId, authorId: post.authorId } });
      });
      return row.storeId;
    },

    /** Takes a comment down; the post then counts one comment fewer. */
    async removeComment(staffId: string, commentId: string): Promise<{ postId: string; storeId: string }> {
      const [row] = await db.select({ postId: communityComments.postId, storeId: communityPosts.storeId }).from(communityComments).innerJoin(communityPosts, eq(communityPosts.id, communityComments.postId)).where(eq(communityComments.id, commentId));
      if (!row) throw new NotFound("community_comment_not_found");
      await requireStaff(row.storeId, staffId);
      await database.write(async (tx) => {
        const removed = await tx.update(communityComments).set({ status: "removed" }).where(and(eq(communityComments.id, commentId), eq(communityComments.status, "visible"))).returning({ authorId: communityComments.authorId });
        if (removed.length === 0) return;
        await tx.update(communityPosts).set({ comments: sql`${communityPosts.comments} - 1` }).where(eq(communityPosts.id, row.postId));
        await audit.record(tx, { actor: { type: "user", id: staffId }, action: "community.comment_removed", subject: `community_comment:${commentId}`, data: { storeId: row.storeId, postId: row.postId, authorId: removed[0]!.authorId } });
      });
      return { postId: row.postId, storeId: row.storeId };
    },

    async mute(staffId: string, storeId: string, memberId: string, reason: string): Promise<void> {
      await requireStaff(storeId, staffId);
      if (await isStaff(storeId, memberId)) throw new CannotMuteStaff();
      const actor: Actor = { type: "user", id: staffId };
      await database.write(async (tx) => {
        const now = clock.now();
        await tx.insert(communityMutes).values({ storeId, userId: memberId, mutedBy: staffId, mutedAt: now, reason }).onConflictDoUpdate({ target: [communityMutes.storeId, communityMutes.userId], set: { mutedBy: staffId, mutedAt: now, reason } });
        await audit.record(tx, { actor, action: "community.member_muted", subject: `store:${storeId}`, data: { userId: memberId, reason } });
      });
    },

    async unmute(staffId: string, storeId: string, memberId: string): Promise<void> {
      await requireStaff(storeId, staffId);
      await database.write(async (tx) => {
        const removed = await tx.delete(communityMutes).where(and(eq(communityMutes.storeId, storeId), eq(communityMutes.userId, memberId))).returning({ userId: communityMutes.userId });
        if (removed.length) await audit.record(tx, { actor: { type: "user", id: staffId }, action: "community.member_unmuted", subject: `store:${storeId}`, data: { userId: memberId } });
      });
    },

    async mutedMembers(storeId: string): Promise<MutedMember[]> {
      const rows = await db.select().from(communityMutes).where(eq(communityMutes.storeId, storeId));
      const names = await displayNames(rows.map((row) => row.userId));
      return rows.map((row) => ({ userId: row.userId, name: names.get(row.userId) ?? "—", reason: row.reason, mutedAt: row.mutedAt }));
    },

    async openPicture(key: string): Promise<StoredImage | null> {
      if (!isStorageKey(key) || !key.startsWith("pst_")) return null;
      return images.get(key);
    },

    /** For the member's data export: what they wrote and liked. */
    async contentOf(userId: string) {
      const posts = await db.select({ id: communityPosts.id, storeId: communityPosts.storeId, body: communityPosts.body, status: communityPosts.status, createdAt: communityPosts.createdAt }).from(communityPosts).where(eq(communityPosts.authorId, userId));
      const comments = await db.select({ id: communityComments.id, postId: communityComments.postId, body: communityComments.body, status: communityComments.status, createdAt: communityComments.createdAt }).from(communityComments).where(eq(communityComments.authorId, userId));
      const likes = await db.select({ postId: communityLikes.postId, createdAt: communityLikes.createdAt }).from(communityLikes).where(eq(communityLikes.userId, userId));
      return { posts, comments, likes };
    },

    /**
     * Erasure: the member's posts and comments keep their place and counts but lose their text; their
     * likes go (each post counting one fewer) and so do their mutes. The number of rows changed.
     */
    async eraseMember(userId: string): Promise<number> {
      return database.write(async (tx) => {
        const posts = await tx.update(communityPosts).set({ body: ERASED_BODY }).where(eq(communityPosts.authorId, userId));
        const comments = await tx.update(communityComments).set({ body: ERASED_BODY }).where(eq(communityComments.authorId, userId));
        const likedPosts = tx.select({ postId: communityLikes.postId }).from(communityLikes).where(eq(communityLikes.userId, userId));
        await tx.update(communityPosts).set({ likes: sql`${communityPosts.likes} - 1` }).where(inArray(communityPosts.id, likedPosts));
        const likes = await tx.delete(communityLikes).where(eq(communityLikes.userId, userId));
        const mutes = await tx.delete(communityMutes).where(eq(communityMutes.userId, userId));
        return posts.rowsAffected + comments.rowsAffected + likes.rowsAffected + mutes.rowsAffected;
      });
    },
  };
}

export type Community = ReturnType<typeof createCommunity>;
