// The store community pages: reading is public; staff and hosts post; signed-in members comment and
// like; the store's staff remove content and mute members. HTMX swaps the like count, the comments
// block, a removed post and the mute form in place; without HTMX every form posts and comes back.
import { Hono, type Context } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { BadRequest, NotFound } from "../../src/platform/errors.ts";
import { parseForm, type FieldErrors } from "../../src/platform/forms.ts";
import { isHtmx, redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { CommunityPage, MutedMembersList, PostComposer, type PostValues } from "../../views/social/community.tsx";
import { CommentsBlock, LikeForm, MuteForm, type CommentState, type ViewerStanding } from "../../views/social/community-post.tsx";
import { Notice } from "../../views/components.tsx";
import type { Catalog } from "../orders/index.ts";
import type { Community } from "./community.ts";
import { isCursor } from "./community-feed.ts";
import { CannotMuteStaff, CommunityTextRefused, MutedInCommunity, PostAttachmentInvalid, PostPictureRejected } from "./community-errors.ts";

const PAGE_SIZE = 20;
const optionalId = (prefix: string) => v.optional(v.union([v.literal(""), v.pipe(v.string(), v.regex(new RegExp(`^${prefix}_[0-9A-Z]{26}$`), "error.bad_request"))]), "");
const postShape = v.object({
  body: v.pipe(v.optional(v.string(), ""), v.trim(), v.nonEmpty("community.form.body_invalid"), v.maxLength(2000, "community.form.body_invalid")),
  productId: optionalId("prd"),
  sessionId: optionalId("liv"),
});
const commentShape = v.object({ body: v.pipe(v.optional(v.string(), ""), v.trim(), v.nonEmpty("community.comment.invalid"), v.maxLength(500, "community.comment.invalid")) });
const muteShape = v.object({
  userId: v.pipe(v.string(), v.regex(/^usr_[0-9A-Z]{26}$/, "error.bad_request")),
  reason: v.pipe(v.optional(v.string(), ""), v.trim(), v.nonEmpty("community.mute.reason_invalid"), v.maxLength(200, "community.mute.reason_invalid")),
});

/** The refusal naming every banned term found, quoted, in the reader's language. */
function refusalText(c: Context<AppEnv>, error: CommunityTextRefused): string {
  return c.var.t("community.refused", { terms: error.terms.map((term) => `“${term}”`).join("、") });
}

export function communityRoutes({ community, catalog }: { community: Community; catalog: Pick<Catalog, "getStore"> }) {
  const app = new Hono<AppEnv>();
  type C = Context<AppEnv>;
  const userId = (c: C) => c.var.user?.id ?? null;
  const pagePath = (storeId: string, postId?: string) => `/stores/${storeId}/community${postId ? `#post-${postId}` : ""}`;

  async function viewerStanding(c: C, storeId: string): Promise<ViewerStanding> {
    return { ...(await community.standing(storeId, userId(c))), signedIn: !!c.var.user };
  }

  interface PageState {
    composer?: { values: PostValues; errors?: FieldErrors; refusal?: string };
    comment?: CommentState;
    status?: 200 | 403 | 422;
  }

  async function page(c: C, storeId: string, state: PageState = {}) {
    const vc = viewContext(c);
    const store = await catalog.getStore(storeId);
    const after = c.req.query("after") ?? null;
    if (after !== null && !isCursor(after)) throw new BadRequest("bad_cursor");
    const standing = await viewerStanding(c, storeId);
    const [feed, muted, attachable] = await Promise.all([
      community.page(storeId, userId(c), after, PAGE_SIZE),
      standing.staff ? community.mutedMembers(storeId) : null,
      standing.author && !standing.muted ? community.attachable(storeId) : null,
    ]);
    const composer = attachable ? <PostComposer v={vc} storeId={storeId} {...attachable} {...state.composer} /> : null;
    const title = vc.t("community.title", { store: vc.pick(store.nameZh, store.nameEn) });
    return renderPage(c, title, <CommunityPage v={vc} store={store} feed={feed} standing={standing} composer={composer} muted={muted} commentState={state.comment} />, state.status ?? 200);
  }

  app.get("/stores/:storeId/community", allow.public(), (c) => page(c, c.req.param("storeId")));

  app.post("/stores/:storeId/community/posts", allow.roles("merchant", "host"), async (c) => {
    const storeId = c.req.param("storeId");
    await catalog.getStore(storeId);
    const body = await c.req.parseBody();
    const values: PostValues = { body: String(body.body ?? ""), productId: String(body.productId ?? ""), sessionId: String(body.sessionId ?? "") };
    const form = parseForm(postShape, { body: body.body, productId: body.productId, sessionId: body.sessionId });
    const picture = body.picture instanceof File && body.picture.size > 0 ? new Uint8Array(await body.picture.arrayBuffer()) : null;
    const again = async (errors: FieldErrors, refusal?: string) => {
      if (!isHtmx(c)) return page(c, storeId, { composer: { values, errors, refusal }, status: 422 });
      const attachable = await community.attachable(storeId);
      return c.html(<PostComposer v={viewContext(c)} storeId={storeId} {...attachable} values={values} errors={errors} refusal={refusal} />, 422);
    };
    if (!form.ok) return again(form.errors);
    try {
      await community.createPost(c.var.user!.id, { storeId, body: form.value.body, picture, productId: form.value.productId || null, sessionId: form.value.sessionId || null });
    } catch (error) {
      if (error instanceof CommunityTextRefused) return again({}, refusalText(c, error));
      if (error instanceof PostPictureRejected) return again({ picture: error.messageKey });
      if (error instanceof PostAttachmentInvalid) return again({ [error.field]: error.messageKey });
      throw error;
    }
    return redirectAfterPost(c, pagePath(storeId));
  });

  app.post("/community/posts/:postId/comments", allow.signedIn(), async (c) => {
    const postId = c.req.param("postId");
    const post = await community.post(postId, userId(c));
    if (!post) throw new NotFound("community_post_not_found");
    const raw = await c.req.parseBody();
    const form = parseForm(commentShape, raw);
    const again = async (error: string, status: 403 | 422) => {
      const state: CommentState = { postId, body: String(raw.body ?? ""), error };
      if (!isHtmx(c)) return page(c, post.storeId, { comment: state, status });
      return c.html(<CommentsBlock v={viewContext(c)} post={post} standing={await viewerStanding(c, post.storeId)} state={state} />, status);
    };
    if (!form.ok) return again(c.var.t(form.errors.body ?? "community.comment.invalid"), 422);
    try {
      await community.comment(c.var.user!.id, postId, form.value.body);
    } catch (error) {
      if (error instanceof CommunityTextRefused) return again(refusalText(c, error), 422);
      if (error instanceof MutedInCommunity) return again(c.var.t(error.messageKey), 403);
      throw error;
    }
    return commentsAnswer(c, postId, post.storeId);
  });

  async function commentsAnswer(c: C, postId: string, storeId: string) {
    if (!isHtmx(c)) return redirectAfterPost(c, pagePath(storeId, postId));
    const post = await community.post(postId, userId(c));
    if (!post) return c.html(<Notice kind="info">{c.var.t("community.removed")}</Notice>);
    return c.html(<CommentsBlock v={viewContext(c)} post={post} standing={await viewerStanding(c, storeId)} />);
  }

  for (const liking of ["like", "unlike"] as const) {
    app.post(`/community/posts/:postId/${liking}`, allow.signedIn(), async (c) => {
      const postId = c.req.param("postId");
      const likes = await community[liking](c.var.user!.id, postId);
      const post = await community.post(postId, userId(c));
      // Staff removed the post between the like and this answer.
      if (!post) return renderPage(c, c.var.t("community.removed"), <Notice kind="info">{c.var.t("community.removed")}</Notice>);
      if (!isHtmx(c)) return redirectAfterPost(c, pagePath(post.storeId, postId));
      return c.html(<LikeForm v={viewContext(c)} post={{ id: postId, likes, likedByViewer: liking === "like" }} standing={await viewerStanding(c, post.storeId)} />);
    });
  }

  app.post("/community/posts/:postId/remove", allow.roles("merchant"), async (c) => {
    const postId = c.req.param("postId");
    const storeId = await community.removePost(c.var.user!.id, postId);
    if (!isHtmx(c)) return redirectAfterPost(c, pagePath(storeId));
    return c.html(<Notice kind="info">{c.var.t("community.removed")}</Notice>);
  });

  app.post("/community/comments/:commentId/remove", allow.roles("merchant"), async (c) => {
    const { postId, storeId } = await community.removeComment(c.var.user!.id, c.req.param("commentId"));
    return commentsAnswer(c, postId, storeId);
  });

  app.post("/stores/:storeId/community/mutes", allow.roles("merchant"), async (c) => {
    const storeId = c.req.param("storeId");
    await catalog.getStore(storeId);
    const raw = await c.req.parseBody();
    const form = parseForm(muteShape, raw);
    const memberId = String(raw.userId ?? "");
    const again = (error: string, status: 409 | 422) => c.html(<MuteForm v={viewContext(c)} storeId={storeId} memberId={memberId} reason={String(raw.reason ?? "")} error={error} />, status);
    if (!form.ok) {
      if (form.errors.userId) throw new BadRequest();
      return again(c.var.t(form.errors.reason ?? "community.mute.reason_invalid"), 422);
    }
    try {
      await community.mute(c.var.user!.id, storeId, form.value.userId, form.value.reason);
    } catch (error) {
      if (error instanceof CannotMuteStaff) return again(c.var.t(error.messageKey), 409);
      throw error;
    }
    if (!isHtmx(c)) return redirectAfterPost(c, pagePath(storeId));
    return c.html(<Notice kind="success">{c.var.t("community.muted", { name: (await community.mutedMembers(storeId)).find((m) => m.userId === form.value.userId)?.name ?? "" })}</Notice>);
  });

  app.post("/stores/:storeId/community/mutes/:userId/remove", allow.roles("merchant"), async (c) => {
    const storeId = c.req.param("storeId");
    await catalog.getStore(storeId);
    await community.unmute(c.var.user!.id, storeId, c.req.param("userId"));
    if (!isHtmx(c)) return redirectAfterPost(c, pagePath(storeId));
    return c.html(<MutedMembersList v={viewContext(c)} storeId={storeId} members={await community.mutedMembers(storeId)} />);
  });

  app.get("/media/community/:key", allow.public(), async (c) => {
    const image = await community.openPicture(c.req.param("key"));
    if (!image) return c.notFound();
    return c.body(image.bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": image.contentType,
      // Keys are never reused, so a picture can be cached for good.
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
    });
  });

  return app;
}
