export * from "./accounts.ts";
export * from "./compliance.ts";
export * from "./orders.ts";
export * from "./orders-checkout.ts";
export * from "./live.ts";
export * from "./pos.ts";
export * from "./social.ts";
