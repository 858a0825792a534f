// The timer jobs, listed once for every runtime: Bun runs them from timers (bootstrap.ts), Workers from
// cron triggers (edge/worker.ts). Each job is safe on many instances at once (what it changes is claimed
// by a conditional update in the database), so a run that overlaps another does no harm.
import type { Logger } from "./platform/logging.ts";
import type { Services } from "./services.ts";

/** How often a job is meant to run: "frequent" every half minute on Bun, every minute on Workers (cron's finest step). */
export type JobCadence = "frequent" | "daily";

interface Job {
  cadence: JobCadence;
  /** Does one pass; returns what it changed, for the log (nothing logged when every count is 0). */
  run(services: Services, logger: Logger): Promise<Record<string, number>>;
  /** The log line when something changed. */
  done: string;
}

export const jobs = {
  /** Unpaid orders past their deadline expire; their units go back on sale. */
  orderExpiry: {
    cadence: "frequent",
    done: "expired unpaid orders",
    run: async (services) => ({ count: await services.orders.lifecycle.expireUnpaid() }),
  },
  /** Delivered orders whose receipt was never confirmed complete. */
  orderCompletion: {
    cadence: "frequent",
    done: "completed unconfirmed orders",
    run: async (services) => ({ count: await services.orders.lifecycle.completeUnconfirmed() }),
  },
  /** Group buys whose window closed unfilled fail; their members' orders are refunded or cancelled. */
  groupBuyWindows: {
    cadence: "frequent",
    done: "closed unfilled group buys",
    run: async (services) => ({ ...(await services.groupBuys.closeExpiredGroups()) }),
  },
  /** Those who asked are reminded of shows starting within REMIND_BEFORE_MINUTES, once per show. */
  showReminders: {
    cadence: "frequent",
    done: "sent show reminders",
    run: async (services) => ({ count: await services.showNotices.remindersDue() }),
  },
  /** Chat and live-session records older than RETENTION_DAYS are purged (each owning module deletes its own) and the run audited. */
  retention: {
    cadence: "daily",
    done: "purged expired records",
    async run(services, logger) {
      const { cutoff, purged, failed } = await services.retention.run();
      if (Object.keys(failed).length) logger.error("retention purge failed", { cutoff: cutoff.toISOString(), failed });
      return purged;
    },
  },
} satisfies Record<string, Job>;

export type JobName = keyof typeof jobs;

export const jobNames = Object.keys(jobs) as JobName[];

export function jobsOf(cadence: JobCadence): JobName[] {
  return jobNames.filter((name) => jobs[name].cadence === cadence);
}

export interface JobOutcome {
  job: JobName;
  /** What the job changed, or the error that stopped it. */
  result: Record<string, number> | { error: string };
}

/**
 * Runs the named jobs one after another, each once. A failing job is logged and reported and the
 * others still run; the returned promise never rejects.
 */
export async function runJobs(services: Services, which: readonly JobName[], logger: Logger): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = [];
  for (const name of which) {
    const job: Job = jobs[name];
    try {
      const result = await job.run(services, logger);
      if (Object.values(result).some((count) => count > 0)) logger.info(job.done, { job: name, ...result });
      outcomes.push({ job: name, result });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error("job failed", { job: name, error: message });
      outcomes.push({ job: name, result: { error: message } });
    }
  }
  return outcomes;
}

/**
 * Runs the jobs from timers in a long-lived process (Bun, Deno): frequent every half minute, daily at
 * start and then every day; a pass still running is never doubled. Returns the function that stops them.
 */
export function startJobTimers({ services, logger }: { services: Services; logger: Logger }, everyMs: Record<JobCadence, number> = { frequent: 30_000, daily: 24 * 60 * 60 * 1000 }): () => void {
  const timers = (["frequent", "daily"] as const).map((cadence) => {
    let running: Promise<unknown> | undefined;
    const pass = () => {
      running ??= runJobs(services, jobsOf(cadence), logger).finally(() => (running = undefined));
    };
    if (cadence === "daily") pass();
    return setInterval(pass, everyMs[cadence]);
  });
  return () => timers.forEach(clearInterval);
}
