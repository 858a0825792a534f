import { describe, expect, it } from "bun:test";
import { Hono } from "hono";
import type { AppEnv } from "./context.ts";
import { createLogger } from "./logging.ts";
import { requestLog } from "./request-log.ts";

function appWithLog(lines: string[]) {
  const app = new Hono<AppEnv>();
  app.use(requestLog(createLogger("info", (line) => lines.push(line))));
  app.get("/ping", (c) => {
    c.var.log.info("inside", { extra: 1 });
    return c.text("pong");
  });
  return app;
}

describe("request log", () => {
  it("writes one JSON line per request, and every line of the request carries its id", async () => {
    const lines: string[] = [];
    const response = await appWithLog(lines).request("/ping");
    const id = response.headers.get("x-request-id");
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ level: "info", msg: "inside", extra: 1, requestId: id });
    expect(entries[1]).toMatchObject({ level: "info", msg: "request", method: "GET", path: "/ping", status: 200, requestId: id });
  });

  it("keeps a sane incoming X-Request-Id and replaces a hostile one", async () => {
    const lines: string[] = [];
    const app = appWithLog(lines);
    expect((await app.request("/ping", { headers: { "x-request-id": "edge-abc123456" } })).headers.get("x-request-id")).toBe("edge-abc123456");
    const replaced = (await app.request("/ping", { headers: { "x-request-id": "<script>alert(1)</script>" } })).headers.get("x-request-id");
    expect(replaced).toMatch(/^req_/);
  });

  it("drops lines below the configured level", () => {
    const lines: string[] = [];
    const log = createLogger("warn", (line) => lines.push(line));
    log.info("quiet");
    log.warn("loud");
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(["loud"]);
  });
});
