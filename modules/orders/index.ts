// The orders module's public surface: the catalog (stores, products, SKUs, stock, photos), the orders
// service (cart, coupons, flash sales, checkout, lifecycle, after-sales), the payment provider contract, its pages.
// Runtime-neutral: the Bun-only photo folder store is imported from images/folder.ts where it is used.
export { createCatalog, type Catalog, type NewProduct, type Product, type ProductSummary, type Sku, type Store } from "./catalog.ts";
export { catalogLimits, type ProductImage, type StockMovement, type StoreProductRow } from "./catalog.ts";
export type { ImageStore, StoredImage } from "./images/image-store.ts";
export { createR2ImageStore } from "./images/r2.ts";
export { orderRoutes } from "./routes.tsx";
export { createOrders, type Orders } from "./orders.ts";
export type { OrderSettings } from "./checkout.ts";
export type { CardPayments, PaymentEvent } from "./payments/provider.ts";
export { WebhookRejected } from "./payments/provider.ts";
export { createStripePayments } from "./payments/stripe.ts";
export type { Order, OrderWithAddress, OrderWithMaskedAddress, Address } from "./order-records.ts";
export type { Coupon } from "./coupons.ts";
export type { CartLine } from "./cart.ts";
export { LIMITS as orderLimits } from "./pricing.ts";
export type { Quote } from "./checkout.ts";
export { couponValue } from "./coupons.ts";
export type { StoreOrderFilter } from "./order-queries.ts";
export type { FlashSale, FlashSales, FlashSaleStatus, NewFlashSale } from "./flash-sales.ts";
export { FlashSaleRefused, FlashSaleSoldOut } from "./errors.ts";
export { sniffImageType, imageExtensions } from "./images/sniff.ts";
export { isStorageKey } from "./images/image-store.ts";
export type { StoreSales, StoreSaleInput, StoreSaleResult, StoreSku, ChannelFigures } from "./store-sales.ts";
export { riskRoutes } from "./risk-routes.tsx";
export type { HeldOrder, Risk, RiskReason, RiskThresholds } from "./risk.ts";
export type { OrderEvent, OrderEventLine, OrderEvents } from "./order-events.ts";
export type { CheckoutExtensions, GroupSeat, GroupSeats, PointsWallet } from "./checkout-extensions.ts";
export type { GroupOrders } from "./group-orders.ts";
/** Where a checkout comes from (client IP, bc_device browser id), for checkouts other modules start (group buys). */
export { browserId, orderOrigin } from "./risk-client.ts";
