// The compliance module's public surface: the audit trail service, hosts' real-name verification,
// the banned-term list, and the officer pages.
export {
  createAuditTrail,
  AuditSigningUnavailable,
  type Actor,
  type AuditEntry,
  type AuditEntryInput,
  type AuditExport,
  type AuditPage,
  type AuditQuery,
  type AuditSigningKey,
  type AuditTrail,
} from "./audit.ts";
export { generateAuditSigningKey, verifyExport, type ExportVerdict, type SignatureLine } from "./audit-export.ts";
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
export { createRetention, RETENTION_DEFAULT_DAYS, RETENTION_MIN_DAYS, type Retention, type RetentionRun, type RetentionSource } from "./retention.ts";
export { createKeyRotation, type KeyRotation, type KeyRotationRun, type ResealSource } from "./key-rotation.ts";
export { createPersonalDataExport, PERSONAL_DATA_FORMAT, type PersonalData, type PersonalDataExport, type ExportedChatMessage } from "./personal-data-export.ts";
export { verificationRoutes } from "./verification-routes.tsx";
export { isResidentIdNumber, maskIdNumber } from "./host-verification.ts";
export {
  createModeration,
  segmentsOf,
  ERASED_FLAG_TEXT,
  type AuthorWarning,
  type ContentRemover,
  type FlagInput,
  type FlagStatus,
  type HighlightSegment,
  type Moderation,
  type ModerationDecision,
  type ModerationFlag,
  type ModerationKind,
  type OfficerTerm,
} from "./moderation.ts";
export { moderateProductSaves, moderateShowTitles } from "./moderated-saves.ts";
export { moderationRoutes } from "./moderation-routes.tsx";
export { createErasure, ERASURE_DUE_DAYS, type Erasure, type Eraser } from "./erasure.ts";
export { privacyRoutes } from "./privacy-routes.tsx";
