import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "../tests/fixtures/test-app.ts";
import { createLogger } from "./platform/logging.ts";
import { jobNames, jobsOf, runJobs } from "./jobs.ts";

let app: TestApp;
const logger = createLogger("silent");

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(() => app.close());

describe("the timer jobs", () => {
  it("split into the frequent ones and the daily retention purge, covering every job once", () => {
    expect(jobsOf("frequent")).toEqual(["orderExpiry", "orderCompletion", "groupBuyWindows", "showReminders"]);
    expect(jobsOf("daily")).toEqual(["retention"]);
    expect([...jobsOf("frequent"), ...jobsOf("daily")].sort()).toEqual([...jobNames].sort());
  });

  it("run each named job once and report what it changed", async () => {
    const outcomes = await runJobs(app.services, jobNames, logger);
    expect(outcomes.map((outcome) => outcome.job)).toEqual(jobNames);
    for (const { result } of outcomes) expect(result).not.toHaveProperty("error");
    expect((await app.database.client.execute("SELECT count(*) FROM audit_entries WHERE action = 'retention.purged'")).rows[0]![0]).toBe(1);
  });

  it("keep running the others when one fails, and report the failure", async () => {
    const groupBuys = app.services.groupBuys;
    const failing = { ...app.services, groupBuys: { ...groupBuys, closeExpiredGroups: () => Promise.reject(new Error("database gone")) } };
    const outcomes = await runJobs(failing, jobsOf("frequent"), logger);
    expect(outcomes.find((outcome) => outcome.job === "groupBuyWindows")?.result).toEqual({ error: "database gone" });
    expect(outcomes.filter((outcome) => !("error" in outcome.result)).map((outcome) => outcome.job)).toEqual(["orderExpiry", "orderCompletion", "showReminders"]);
  });
});
