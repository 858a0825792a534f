// How the product editor's routes answer. The editor is one page of parts (status, details, SKUs,
// stock, photos), each its own form: after a change or a refusal, an HTMX request gets the one part
// that changed, with a notice or its errors in place; a plain form post gets the whole page or a redirect.
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../src/platform/context.ts";
import { isHtmx, redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext, type ViewContext } from "../../views/view-context.ts";
import type { CopyFlags, EditorData, EditorState } from "../../views/orders/merchant/editor-state.ts";
import type { FormState } from "../../views/orders/merchant/fields.tsx";
import { ProductEditorPage, productPath } from "../../views/orders/merchant/product-editor.tsx";
import type { Catalog } from "./catalog.ts";

/** One part of the editor, rendered from the product as it now stands. */
export type EditorFragment = (v: ViewContext, data: EditorData) => Child;

/** Names for the people in stock histories; without it the history shows "you" or the account id. */
export type DisplayNames = (ids: readonly string[]) => Promise<Map<string, string>>;

/** Every merchant route runs behind allow.roles("merchant"), so there is a signed-in user. */
export const actorOf = (c: Context<AppEnv>) => ({ type: "user" as const, id: c.var.user!.id });

export const notice = (kind: "success" | "error", text: string): FormState => ({ notice: { kind, text } });

export function productEditorResponses(catalog: Catalog, displayNames: DisplayNames | undefined, copyFlags?: CopyFlags) {
  async function editorData(c: Context<AppEnv>, productId: string): Promise<EditorData> {
    const actor = actorOf(c);
    const product = await catalog.productForStaff(actor, productId);
    const history = await catalog.stockHistory(actor, productId);
    const actorIds = [...new Set([...history.values()].flat().map((movement) => movement.actorId))];
    const names = displayNames && actorIds.length ? await displayNames(actorIds) : new Map<string, string>();
    const flaggedCopy = copyFlags ? await copyFlags(productId) : [];
    return { product, history, names, flaggedCopy };
  }

  /** The editor as it now stands: the one part that changed for HTMX, the whole page otherwise. */
  async function answer(c: Context<AppEnv>, productId: string, state: EditorState, status: ContentfulStatusCode, fragment: EditorFragment) {
    const v = viewContext(c);
    const data = await editorData(c, productId);
    if (isHtmx(c)) return c.html(<>{fragment(v, data)}</>, status);
    return renderPage(c, v.pick(data.product.titleZh, data.product.titleEn), <ProductEditorPage v={v} data={data} state={state} />, status);
  }

  /** After a change: HTMX gets the changed part with a notice; a plain form post is sent back to the editor. */
  function succeed(c: Context<AppEnv>, productId: string, state: EditorState, fragment: EditorFragment) {
    return isHtmx(c) ? answer(c, productId, state, 200, fragment) : redirectAfterPost(c, productPath(productId));
  }

  return { answer, succeed };
}

export type ProductEditorResponses = ReturnType<typeof productEditorResponses>;
