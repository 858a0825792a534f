// One community post and its interactive parts: the like button, the comments with their form, and
// staff's remove and mute buttons. Each part is also the HTMX fragment its form swaps in.
import type { CommunityComment, CommunityPost, CommunityStanding } from "../../modules/social/index.ts";
import { ERASED_BODY } from "../../modules/social/index.ts";
import { CsrfField } from "../components.tsx";
import { showTitle } from "../live/show-title.ts";
import { ProductCard } from "../orders/product-card.tsx";
import type { ViewContext } from "../view-context.ts";

/** What the viewer may do here; `signedIn` is false for anonymous readers. */
export type ViewerStanding = CommunityStanding & { signedIn: boolean };

/** A comment form's state after a refused or invalid post: the text kept, the message in place. */
export interface CommentState {
  postId: string;
  body: string;
  error: string;
}

export function LikeForm({ v, post, standing }: { v: ViewContext; post: Pick<CommunityPost, "id" | "likes" | "likedByViewer">; standing: ViewerStanding }) {
  const count = <span class="muted" data-likes={post.likes}>{v.t("community.likes", { count: post.likes })}</span>;
  if (!standing.signedIn || (standing.muted && !post.likedByViewer)) return <p id={`like-${post.id}`}>{count}</p>;
  const action = `/community/posts/${post.id}/${post.likedByViewer ? "unlike" : "like"}`;
  return (
    <form id={`like-${post.id}`} method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" class="inline-form">
      <CsrfField v={v} />
      <button type="submit" class="button button--fit" aria-pressed={post.likedByViewer ? "true" : "false"}>
        {v.t(post.likedByViewer ? "community.unlike" : "community.like")}
      </button>{" "}
      {count}
    </form>
  );
}

function CommentItem({ v, storeId, comment, standing }: { v: ViewContext; storeId: string; comment: CommunityComment; standing: ViewerStanding }) {
  const remove = `/community/comments/${comment.id}/remove`;
  return (
    <li id={`comment-${comment.id}`}>
      <strong>{comment.author.name}</strong> <span class="muted small">{v.formatTime(comment.createdAt)}</span>
      <p>{comment.body === ERASED_BODY ? <span class="muted">{ERASED_BODY}</span> : comment.body}</p>
      {standing.staff && (
        <div class="actions">
          <form method="post" action={remove} hx-post={remove} hx-target={`#comments-${comment.postId}`} hx-swap="outerHTML" class="inline-form">
            <CsrfField v={v} />
            <button type="submit" class="link-button">{v.t("community.remove")}</button>
          </form>
          {comment.author.id !== v.user?.id && <MuteForm v={v} storeId={storeId} memberId={comment.author.id} />}
        </div>
      )}
    </li>
  );
}

/** Staff mute a comment's author with a reason; answered in place by a notice or the form with its error. */
export function MuteForm({ v, storeId, memberId, error, reason = "" }: { v: ViewContext; storeId: string; memberId: string; error?: string | undefined; reason?: string }) {
  const action = `/stores/${storeId}/community/mutes`;
  return (
    <form method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" class={error ? "inline-form field--invalid" : "inline-form"}>
      <CsrfField v={v} />
      <input type="hidden" name="userId" value={memberId} />
      <label>
        <span class="visually-hidden">{v.t("community.mute.reason")}</span>
        <input name="reason" maxlength={200} required placeholder={v.t("community.mute.reason")} value={reason} />
      </label>{" "}
      <button type="submit" class="link-button">{v.t("community.mute")}</button>
      {error && <p class="field__error" role="alert">{error}</p>}
    </form>
  );
}

export function CommentsBlock(props: { v: ViewContext; post: Pick<CommunityPost, "id" | "storeId" | "comments" | "commentCount">; standing: ViewerStanding; state?: CommentState | undefined }) {
  const { v, post, standing } = props;
  const state = props.state?.postId === post.id ? props.state : undefined;
  const action = `/community/posts/${post.id}/comments`;
  return (
    <section id={`comments-${post.id}`} aria-label={v.t("community.comments", { count: post.commentCount })}>
      <p class="muted small">{v.t("community.comments", { count: post.commentCount })}</p>
      <ol class="card-list">
        {post.comments.map((comment) => (
          <CommentItem v={v} storeId={post.storeId} comment={comment} standing={standing} />
        ))}
      </ol>
      {standing.signedIn && !standing.muted && (
        <form method="post" action={action} hx-post={action} hx-target={`#comments-${post.id}`} hx-swap="outerHTML" class={state ? "chat-form field--invalid" : "chat-form"}>
          <CsrfField v={v} />
          <label for={`comment-body-${post.id}`} class="visually-hidden">
            {v.t("community.comment.label")}
          </label>
          <input id={`comment-body-${post.id}`} name="body" maxlength={500} required placeholder={v.t("community.comment.placeholder")} value={state?.body ?? ""} autocomplete="off" />
          <button type="submit" class="button">{v.t("community.comment.submit")}</button>
          {state && (
            <p class="field__error" role="alert" data-testid="comment-error">
              {state.error}
            </p>
          )}
        </form>
      )}
      {state && standing.muted && (
        <p class="field__error" role="alert" data-testid="comment-error">
          {state.error}
        </p>
      )}
    </section>
  );
}

export function PostCard({ v, post, standing, commentState }: { v: ViewContext; post: CommunityPost; standing: ViewerStanding; commentState?: CommentState | undefined }) {
  const remove = `/community/posts/${post.id}/remove`;
  return (
    <li class="card" id={`post-${post.id}`}>
      <p class="muted small">{v.t("community.posted_by", { name: post.author.name, time: v.formatTime(post.createdAt) })}</p>
      <p>{post.body}</p>
      {post.pictureUrl && <img class="product__image" src={post.pictureUrl} alt="" loading="lazy" />}
      {post.product && (
        <ul class="product-grid">
          <ProductCard v={v} product={post.product} />
        </ul>
      )}
      {post.session && (
        <p class="session-card">
          <a href={`/live/${post.session.id}`}>{v.t("community.show", { title: showTitle(v, post.session) })}</a> · {v.t("live.starts", { time: v.formatTime(post.session.scheduledAt) })}
        </p>
      )}
      <LikeForm v={v} post={post} standing={standing} />
      <CommentsBlock v={v} post={post} standing={standing} state={commentState} />
      {standing.staff && (
        <form method="post" action={remove} hx-post={remove} hx-target={`#post-${post.id}`} hx-swap="outerHTML" class="inline-form">
          <CsrfField v={v} />
          <button type="submit" class="link-button">{v.t("community.remove")}</button>
        </form>
      )}
    </li>
  );
}
