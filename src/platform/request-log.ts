// Gives each request an id (kept from X-Request-Id when a proxy sent a sane one) and logs its outcome.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";
import type { Logger } from "./logging.ts";
import { newId } from "./ids.ts";

const acceptableRequestId = /^[A-Za-z0-9._-]{8,64}$/;

export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && acceptableRequestId.test(incoming) ? incoming : newId("req");
    const log = logger.child({ requestId });
    c.set("requestId", requestId);
    c.set("log", log);
    const started = performance.now();
    await next();
    c.header("X-Request-Id", requestId);
    log.info("request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      userId: c.var.user?.id,
    });
  };
}
