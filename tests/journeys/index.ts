// Every journey, by the name a test reports it under, in the order they run on a target.
import { auditExportVerifies } from "./audit-verify.ts";
import { browseShowsAndProducts } from "./browse.ts";
import { checkoutWithCoupon } from "./checkout-with-coupon.ts";
import { liveTokenAndChat } from "./live-chat.ts";
import { posIngest } from "./pos-ingest.ts";
import { signInAndOut } from "./sign-in.ts";
import type { Journey } from "./target.ts";

export const journeys: Record<string, Journey> = {
  "signs the demo shopper in and out, and refuses a wrong password": signInAndOut,
  "lists shows and products, and shows a product's SKUs with their prices": browseShowsAndProducts,
  "checks out with a coupon the merchant created, and the merchant confirms the offline payment": checkoutWithCoupon,
  "pairs a till over HTTP and ingests a signed sale that shows on the till page and takes the stock": posIngest,
  "gives a shopper a viewer token for a live show, sends their chat to the room, refuses a banned term": liveTokenAndChat,
  "exports an audit time range that verifies offline, and a tampered copy that does not": auditExportVerifies,
};
