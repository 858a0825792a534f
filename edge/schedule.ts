// The cron triggers of wrangler.toml ([triggers] crons), and which timer jobs each one runs.
import { jobsOf, type JobName } from "../src/jobs.ts";

/** Every minute (cron's finest step): the frequent jobs. */
export const FREQUENT_CRON = "* * * * *";
/** Once a day at 03:17 UTC: the daily jobs (retention). */
export const DAILY_CRON = "17 3 * * *";

export function jobsForCron(cron: string): JobName[] {
  return jobsOf(cron === DAILY_CRON ? "daily" : "frequent");
}
