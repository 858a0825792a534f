// The Cloudflare Workers entry: the same createApp(deps) over a libSQL server reached by HTTP.
// Secrets and settings come from the Worker's bindings, static files from the assets binding, product
// photos from an R2 bucket, and the timer jobs (src/jobs.ts) from cron triggers (wrangler.toml).
// Migrations are applied before deploying (the worker never changes the schema).
import { createClient } from "@libsql/client/web";
import { createDatabase } from "../db/database.ts";
import { createApp } from "../src/app.ts";
import { parseConfig } from "../src/config.ts";
import { runJobs } from "../src/jobs.ts";
import { systemClock } from "../src/platform/clock.ts";
import { createLogger, type Logger } from "../src/platform/logging.ts";
import { edgeHasher } from "../src/platform/password-edge.ts";
import { createServices, type Services } from "../src/services.ts";
import { appSettingsFromConfig, liveKitFromConfig, orderSettingsFromConfig, sealerFromConfig, stripeFromConfig } from "../src/config-deps.ts";
import { createR2ImageStore } from "../modules/orders/index.ts";
import { jobsForCron } from "./schedule.ts";

export interface Env {
  DATABASE_URL: string;
  DATABASE_AUTH_TOKEN?: string;
  SESSION_SECRET: string;
  DATA_KEY: string;
  /** The id sealed values carry for DATA_KEY ("k1" when unset). */
  DATA_KEY_ID?: string;
  /** Rotated-out data keys, "id:key,id:key": they still open what they sealed. */
  DATA_KEYS_RETIRED?: string;
  AUDIT_SIGNING_KEY: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_PUBLISHABLE_KEY?: string;
  LIVEKIT_URL?: string;
  LIVEKIT_API_KEY?: string;
  LIVEKIT_API_SECRET?: string;
  CARD_PAYMENT_MINUTES?: string;
  OFFLINE_PAYMENT_MINUTES?: string;
  RETENTION_DAYS?: string;
  /** "always" unless set: a deployed Worker is reached over https. */
  COOKIE_SECURE?: string;
  DEFAULT_LOCALE?: string;
  TIME_ZONE?: string;
  LOG_LEVEL?: string;
  ASSETS: Fetcher;
  /** Product photos (wrangler.toml [[r2_buckets]] binding "IMAGES"). */
  IMAGES: R2Bucket;
}

interface EdgeRuntime {
  app: ReturnType<typeof createApp>;
  services: Services;
  logger: Logger;
}

let built: { env: Env; runtime: Promise<EdgeRuntime> } | undefined;

/** One app per isolate, rebuilt only if the bindings change (or if building it failed). */
function runtimeFor(env: Env): Promise<EdgeRuntime> {
  if (built?.env === env) return built.runtime;
  const runtime = buildRuntime(env);
  built = { env, runtime };
  runtime.catch(() => {
    if (built?.runtime === runtime) built = undefined;
  });
  return runtime;
}

async function buildRuntime(env: Env): Promise<EdgeRuntime> {
  const config = parseConfig({ COOKIE_SECURE: "always", ...(env as unknown as Record<string, string | undefined>), NODE_ENV: "production" });
  const logger = createLogger(config.LOG_LEVEL);
  const database = createDatabase(createClient({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN }), "remote");
  const services = createServices({
    database,
    clock: systemClock,
    passwords: edgeHasher(),
    sealer: sealerFromConfig(config, config.DATA_KEY!),
    cardPayments: stripeFromConfig(config, systemClock),
    // Cloudflare sets the client's address; the risk rules count orders per IP with it.
    orderSettings: orderSettingsFromConfig(config, { trustProxy: false, clientIpHeader: "cf-connecting-ip" }),
    log: logger,
    images: createR2ImageStore(env.IMAGES),
    auditSigningKey: config.AUDIT_SIGNING_KEY,
    retentionDays: config.RETENTION_DAYS,
    roomGateway: liveKitFromConfig(config),
  });
  const app = createApp({
    services,
    logger,
    // The assets binding serves static/ at its root; the app's URLs keep their /static prefix.
    serveStatic: async (c) => {
      const url = new URL(c.req.url);
      url.pathname = url.pathname.replace(/^\/static/, "");
      return env.ASSETS.fetch(new Request(url, c.req.raw));
    },
    settings: appSettingsFromConfig(config, config.SESSION_SECRET!, { trustProxy: false }),
  });
  // A cold isolate checks chat against the officers' banned terms from its first request, not only
  // against the built-in list until they have loaded.
  await services.moderation.ready();
  return { app, services, logger };
}

export default {
  async fetch(request, env, ctx) {
    return (await runtimeFor(env)).app.fetch(request, env, ctx);
  },

  /** Awaited rather than left to waitUntil, so the trigger's outcome is the jobs' (each job logs its own failure). */
  async scheduled(controller, env) {
    const { services, logger } = await runtimeFor(env);
    await runJobs(services, jobsForCron(controller.cron), logger);
  },
} satisfies ExportedHandler<Env>;
