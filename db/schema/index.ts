export * from "./accounts.ts";
export * from "./compliance.ts";
export * from "./orders.ts";
export * from "./live.ts";
