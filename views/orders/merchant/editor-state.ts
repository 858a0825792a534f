// What the product editor shows besides the product: its stock history, who made each change, the
// copy compliance flagged, and the state of the one form just submitted (values and errors in place,
// or a notice).
import type { Product, StockMovement } from "../../../modules/orders/index.ts";
import type { FormState } from "./fields.tsx";

export interface EditorData {
  product: Product;
  history: Map<string, StockMovement[]>;
  /** Display names of the people in the history, where known. */
  names: Map<string, string>;
  /** Titles and descriptions waiting for a compliance officer's review, their banned terms marked. */
  flaggedCopy: FlaggedCopy[];
}

/** One flagged field of the product's copy, cut into plain and banned segments. */
export interface FlaggedCopy {
  field: string;
  segments: readonly { text: string; term: string | null }[];
}

/** The open compliance flags on a product's copy; given to the orders routes by the composition. */
export type CopyFlags = (productId: string) => Promise<FlaggedCopy[]>;

export interface EditorState {
  status?: FormState;
  details?: FormState;
  /** The SKU form that was submitted. */
  sku?: FormState & { id: string };
  /** The SKU list as a whole (added, removed, refused removal) and the new-SKU form. */
  skus?: FormState;
  stock?: FormState & { id: string };
  images?: FormState;
}
