// Data key rotation: once DATA_KEY_ID names a new key and the old one is listed in DATA_KEYS_RETIRED,
// personal data sealed under the old key still opens, and this re-seals it under the new one so the
// old key can be dropped. Compliance does not own those tables: each owning module hands in a
// `reseal()` that re-seals its own rows and says how many changed. Every run leaves one audit entry
// with the key now current and the count per source (and the error of any source that failed).
import type { Database } from "../../db/database.ts";
import type { AuditTrail } from "./audit.ts";

export interface ResealSource {
  /** What is re-sealed, as it appears in the audit entry: "order_addresses". */
  name: string;
  /** Re-seals the owner's values not under the current key; returns how many rows changed. */
  reseal(): Promise<number>;
}

export interface KeyRotationRun {
  /** The data key everything is now sealed under (unless a source failed). */
  keyId: string;
  resealed: Record<string, number>;
  failed: Record<string, string>;
  auditSeq: number;
}

export interface KeyRotationDeps {
  database: Database;
  audit: AuditTrail;
  /** The id of the current data key (the sealer's currentKeyId). */
  keyId: string;
  sources: readonly ResealSource[];
}

export function createKeyRotation({ database, audit, keyId, sources }: KeyRotationDeps) {
  return {
    keyId,

    /** Re-seals every source (one failing does not stop the others), then records the run. */
    async run(): Promise<KeyRotationRun> {
      const resealed: Record<string, number> = {};
      const failed: Record<string, string> = {};
      for (const source of sources) {
        try {
          resealed[source.name] = await source.reseal();
        } catch (error) {
          failed[source.name] = error instanceof Error ? error.message : String(error);
        }
      }
      const auditSeq = await database.write((tx) =>
        audit.record(tx, {
          actor: { type: "system", id: "key-rotation" },
          action: "personal_data.resealed",
          subject: `data_key:${keyId}`,
          data: { keyId, resealed, ...(Object.keys(failed).length ? { failed } : {}) },
        }),
      );
      return { keyId, resealed, failed, auditSeq };
    },
  };
}

export type KeyRotation = ReturnType<typeof createKeyRotation>;
