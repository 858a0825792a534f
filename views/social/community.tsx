// A store's community page: the post form for its staff and hosts, the posts newest first, and the
// list of muted members for its staff.
import type { LiveSession } from "../../modules/live/index.ts";
import type { CommunityPage as Feed, MutedMember } from "../../modules/social/index.ts";
import type { ProductSummary, Store } from "../../modules/orders/index.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import { CsrfField, Notice } from "../components.tsx";
import { showTitle } from "../live/show-title.ts";
import type { ViewContext } from "../view-context.ts";
import { PostCard, type CommentState, type ViewerStanding } from "./community-post.tsx";

export interface PostValues {
  body?: string;
  productId?: string;
  sessionId?: string;
}

export interface ComposerProps {
  v: ViewContext;
  storeId: string;
  products: ProductSummary[];
  sessions: LiveSession[];
  values?: PostValues;
  errors?: FieldErrors;
  /** The refusal naming the banned terms, already put into words. */
  refusal?: string | undefined;
}

export function PostComposer({ v, storeId, products, sessions, values = {}, errors = {}, refusal }: ComposerProps) {
  const action = `/stores/${storeId}/community/posts`;
  const bodyError = refusal ?? (errors.body ? v.t(errors.body) : undefined);
  return (
    <form id="post-composer" method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" enctype="multipart/form-data" class="card form form--wide" novalidate>
      <h2>{v.t("community.form.title")}</h2>
      <CsrfField v={v} />
      <div class={bodyError ? "field field--invalid" : "field"}>
        <label for="field-body">{v.t("community.form.body")}</label>
        <textarea id="field-body" name="body" rows={4} maxlength={2000} required class="field__control" aria-invalid={bodyError ? "true" : undefined}>
          {values.body ?? ""}
        </textarea>
        {bodyError && (
          <p class="field__error" role="alert" data-testid="post-error">
            {bodyError}
          </p>
        )}
      </div>
      <div class={errors.picture ? "field field--invalid" : "field"}>
        <label for="field-picture">{v.t("community.form.picture")}</label>
        <input id="field-picture" name="picture" type="file" accept="image/jpeg,image/png,image/webp" />
        {errors.picture && <p class="field__error" role="alert">{v.t(errors.picture)}</p>}
      </div>
      <div class={errors.productId ? "field field--invalid" : "field"}>
        <label for="field-productId">{v.t("community.form.product")}</label>
        <select id="field-productId" name="productId" class="field__control">
          <option value="">{v.t("community.form.none")}</option>
          {products.map((product) => (
            <option value={product.id} selected={product.id === values.productId}>
              {v.pick(product.titleZh, product.titleEn)}
            </option>
          ))}
        </select>
        {errors.productId && <p class="field__error" role="alert">{v.t(errors.productId)}</p>}
      </div>
      <div class={errors.sessionId ? "field field--invalid" : "field"}>
        <label for="field-sessionId">{v.t("community.form.session")}</label>
        <select id="field-sessionId" name="sessionId" class="field__control">
          <option value="">{v.t("community.form.none")}</option>
          {sessions.map((session) => (
            <option value={session.id} selected={session.id === values.sessionId}>
              {showTitle(v, session)} · {v.formatTime(session.scheduledAt)}
            </option>
          ))}
        </select>
        {errors.sessionId && <p class="field__error" role="alert">{v.t(errors.sessionId)}</p>}
      </div>
      <button type="submit" class="button button--primary">{v.t("community.form.submit")}</button>
    </form>
  );
}

export function MutedMembersList({ v, storeId, members }: { v: ViewContext; storeId: string; members: MutedMember[] }) {
  return (
    <section id="muted-members" class="section" aria-labelledby="muted-members-title">
      <h2 id="muted-members-title">{v.t("community.muted_members")}</h2>
      <ul class="card-list">
        {members.map((member) => {
          const action = `/stores/${storeId}/community/mutes/${member.userId}/remove`;
          return (
            <li>
              <strong>{member.name}</strong> <span class="muted small">{member.reason ?? ""} · {v.formatTime(member.mutedAt)}</span>{" "}
              <form method="post" action={action} hx-post={action} hx-target="#muted-members" hx-swap="outerHTML" class="inline-form">
                <CsrfField v={v} />
                <button type="submit" class="link-button">{v.t("community.unmute")}</button>
              </form>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export interface CommunityPageProps {
  v: ViewContext;
  store: Store;
  feed: Feed;
  standing: ViewerStanding;
  composer: unknown;
  muted: MutedMember[] | null;
  commentState?: CommentState | undefined;
}

export function CommunityPage({ v, store, feed, standing, composer, muted, commentState }: CommunityPageProps) {
  return (
    <article>
      <h1>{v.t("community.title", { store: v.pick(store.nameZh, store.nameEn) })}</h1>
      {!standing.signedIn && (
        <p>
          <a href={`/signin?next=${encodeURIComponent(v.path)}`}>{v.t("community.signin_to_join")}</a>
        </p>
      )}
      {standing.muted && <Notice kind="info">{v.t("community.you_are_muted")}</Notice>}
      {composer as never}
      {feed.posts.length === 0 && <p class="muted">{v.t("community.empty")}</p>}
      <ol class="card-list" id="community-posts">
        {feed.posts.map((post) => (
          <PostCard v={v} post={post} standing={standing} commentState={commentState} />
        ))}
      </ol>
      {feed.nextCursor && (
        <p>
          <a href={`/stores/${store.id}/community?after=${encodeURIComponent(feed.nextCursor)}`}>{v.t("community.older")}</a>
        </p>
      )}
      {muted && <MutedMembersList v={v} storeId={store.id} members={muted} />}
    </article>
  );
}
