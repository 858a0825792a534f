// Retention: chat and live-session records are kept for a configurable period (RETENTION_DAYS,
// three years by default), then purged by a daily job. Compliance does not own those tables: each
// owning module hands in a `purge(cutoff)` that deletes its own rows older than the cutoff and
// says how many. Every run, even one that purged nothing, leaves one audit entry with the cutoff
// and the count per source (and the error of any source that failed).
import type { Database } from "../../db/database.ts";
import type { Clock } from "../../src/platform/clock.ts";
import type { AuditTrail } from "./audit.ts";

export const RETENTION_DEFAULT_DAYS = 1095;
export const RETENTION_MIN_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionSource {
  /** What is purged, as it appears in the audit entry: "live_chat_messages". */
  name: string;
  /** Deletes the owner's records created before `cutoff`; returns how many went. */
  purge(cutoff: Date): Promise<number>;
}

export interface RetentionRun {
  cutoff: Date;
  purged: Record<string, number>;
  failed: Record<string, string>;
  auditSeq: number;
}

export interface RetentionDeps {
  audit: AuditTrail;
  clock: Clock;
  database: Database;
  sources: readonly RetentionSource[];
  /** How long records are kept; at least RETENTION_MIN_DAYS. */
  days?: number;
}

export function createRetention({ audit, clock, database, sources, days = RETENTION_DEFAULT_DAYS }: RetentionDeps) {
  if (!Number.isInteger(days) || days < RETENTION_MIN_DAYS) throw new RangeError(`retention must be a whole number of days, at least ${RETENTION_MIN_DAYS}`);
  const cutoffAt = (now: Date) => new Date(now.getTime() - days * DAY_MS);

  return {
    days,
    /** Records created before this instant are due for purging. */
    cutoff: () => cutoffAt(clock.now()),

    /** Purges every source (one failing does not stop the others), then records the run. */
    async run(): Promise<RetentionRun> {
      const cutoff = cutoffAt(clock.now());
      const purged: Record<string, number> = {};
      const failed: Record<string, string> = {};
      for (const source of sources) {
        try {
          purged[source.name] = await source.purge(cutoff);
        } catch (error) {
          failed[source.name] = error instanceof Error ? error.message : String(error);
        }
      }
      const auditSeq = await database.write((tx) =>
        audit.record(tx, {
          actor: { type: "system", id: "retention" },
          action: "retention.purged",
          subject: "retention:daily",
          data: { cutoff: cutoff.toISOString(), days, purged, ...(Object.keys(failed).length ? { failed } : {}) },
        }),
      );
      return { cutoff, purged, failed, auditSeq };
    },
  };
}

export type Retention = ReturnType<typeof createRetention>;
