// The compliance module's public surface: the audit trail service, hosts' real-name verification,
// the banned-term list, and the officer pages.
export { createAuditTrail, type Actor, type AuditEntry, type AuditEntryInput, type AuditTrail } from "./audit.ts";
export type { ChainVerdict } from "./audit-chain.ts";
export {
  createHostVerification,
  HostNotVerified,
  VerificationConflict,
  type HostVerification,
  type ReviewDecision,
  type VerificationStatus,
} from "./host-verification.ts";
export { createTermList, findBannedTerms, type BannedTerm, type BannedTermMatch, type ExtraTerm, type TermCategory, type TermList } from "./terms.ts";
export { complianceRoutes } from "./routes.tsx";
