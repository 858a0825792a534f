// The pinned product card in a room. live-room.js re-renders the same markup from the data packets.
import type { ShowcaseCard } from "../../modules/live/index.ts";
import type { ViewContext } from "../view-context.ts";

export function ShowcaseCardView({ v, card, sessionId, buyable = true }: { v: ViewContext; card: ShowcaseCard | null; sessionId: string; buyable?: boolean }) {
  // What live-room.js needs to update prices, stock and sale units from a data packet in this language.
  const templates = { "data-fragment": `/live/${sessionId}/card${buyable ? "" : "?studio=1"}`, "data-stock-template": v.t("product.stock", { count: "{count}" }), "data-left-template": v.t("live.flash_sale.left", { count: "{count}" }) };
  if (!card) return <div id="showcase" class="showcase showcase--empty" aria-live="polite" {...templates} />;
  return (
    <div id="showcase" class="showcase" aria-live="polite" data-product={card.productId} {...templates}>
      <p class="showcase__label">{v.t("live.pinned")}</p>
      <h2 class="showcase__title">{v.pick(card.titleZh, card.titleEn)}</h2>
      <ul class="showcase__options">
        {card.options.map((option) => (
          <li class="showcase__option" data-sku={option.skuId}>
            <span>{v.pick(option.optionZh, option.optionEn)}</span>{" "}
            <strong class="price" data-testid="live-price">
              {v.formatMoney({ amount: option.priceFen, currency: option.currency })}
            </strong>
            {option.regularPriceFen !== null && <s class="muted"> {v.formatMoney({ amount: option.regularPriceFen, currency: option.currency })}</s>}{" "}
            <span class="muted" data-testid="live-stock">
              {v.t("product.stock", { count: option.stock })}
            </span>
            {option.sale && (
              <span class="flash-sale" data-ends-at={option.sale.endsAt}>
                {" "}
                {v.t("live.flash_sale")} · <span class="sale-left">{v.t("live.flash_sale.left", { count: option.sale.left })}</span> · <span class="countdown" />
              </span>
            )}{" "}
            {buyable &&
              option.stock > 0 &&
              (v.user ? (
                <a class="button button--buy" href={`/checkout?sku=${option.skuId}&quantity=1&live=${sessionId}`}>
                  {v.t("live.buy")}
                </a>
              ) : (
                <a class="button button--buy" href={`/signin?next=${encodeURIComponent(`/live/${sessionId}`)}`}>
                  {v.t("live.sign_in_to_buy")}
                </a>
              ))}
          </li>
        ))}
      </ul>
    </div>
  );
}
