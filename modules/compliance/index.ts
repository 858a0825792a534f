// The compliance module's public surface: the audit trail service and the officer pages.
export { createAuditTrail, type Actor, type AuditEntry, type AuditEntryInput, type AuditTrail } from "./audit.ts";
export type { ChainVerdict } from "./audit-chain.ts";
export { complianceRoutes } from "./routes.tsx";
