// The one place the environment is read and checked. A bad value stops start-up with one line naming it.
import * as v from "valibot";
import { locales } from "./platform/i18n.ts";
import { DATA_KEY_ID_PATTERN, DEFAULT_DATA_KEY_ID } from "./platform/sealing.ts";

const port = v.pipe(
  v.optional(v.string(), "3000"),
  v.regex(/^\d+$/, "must be a whole number"),
  v.transform(Number),
  v.integer(),
  v.minValue(1, "must be between 1 and 65535"),
  v.maxValue(65535, "must be between 1 and 65535"),
);

const databaseUrl = v.pipe(
  v.optional(v.string(), "file:data/broadcart.db"),
  v.regex(/^(file|https?|libsql|wss?):/, "must start with file:, http:, https:, libsql:, ws: or wss:"),
);

const secret = v.optional(v.pipe(v.string(), v.minLength(32, "must be at least 32 characters")));

const minutes = (fallback: string, max: number) =>
  v.pipe(
    v.optional(v.string(), fallback),
    v.regex(/^\d+$/, "must be a whole number of minutes"),
    v.transform(Number),
    v.minValue(1, `must be between 1 and ${max}`),
    v.maxValue(max, `must be between 1 and ${max}`),
  );

const dataKeyId = v.optional(v.pipe(v.string(), v.regex(DATA_KEY_ID_PATTERN, "must be 1 to 16 characters of a-z, 0-9 and -")), DEFAULT_DATA_KEY_ID);

/** Data keys rotated out ("k1:<key>,k2:<key>"): they still open what they sealed until it is re-sealed (npm run data:reseal). */
const retiredDataKeys = v.pipe(
  v.optional(v.string(), ""),
  v.transform((text) =>
    text
      .split(",")
      .map((pair) => pair.trim())
      .filter((pair) => pair !== "")
      .map((pair) => ({ id: pair.includes(":") ? pair.slice(0, pair.indexOf(":")) : "", key: pair.slice(pair.indexOf(":") + 1) })),
  ),
  v.check(
    (keys) => keys.every(({ id, key }) => DATA_KEY_ID_PATTERN.test(id) && key.length >= 32),
    "must be comma-separated id:key pairs (id: 1 to 16 characters of a-z, 0-9 and -; key: at least 32 characters)",
  ),
  v.check((keys) => new Set(keys.map((k) => k.id)).size === keys.length, "must not name a key id twice"),
);

/** How long chat and live-session records are kept before the daily purge: three years by default, 30 days to 100 years (a larger cutoff is no date). */
const retentionDays = v.pipe(
  v.optional(v.string(), "1095"),
  v.regex(/^\d+$/, "must be a whole number of days"),
  v.transform(Number),
  v.minValue(30, "must be between 30 and 36500 days"),
  v.maxValue(36500, "must be between 30 and 36500 days"),
);

const configSchema = v.object({
  NODE_ENV: v.optional(v.picklist(["development", "production", "test"], "must be development, production or test"), "development"),
  HOST: v.optional(v.pipe(v.string(), v.nonEmpty("must not be empty")), "127.0.0.1"),
  PORT: port,
  DATABASE_URL: databaseUrl,
  DATABASE_AUTH_TOKEN: v.optional(v.string()),
  /** With a file: DATABASE_URL, makes it an embedded replica of this libSQL server (sqld primary or replica), synced from it. */
  DATABASE_SYNC_URL: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\//, "must be an http:// or https:// URL of a libSQL server"))),
  /** Where an embedded replica's writes go; DATABASE_SYNC_URL unless told (a sqld replica forwards writes to its primary). */
  DATABASE_PRIMARY_URL: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\//, "must be an http:// or https:// URL of a libSQL server"))),
  SESSION_SECRET: secret,
  DATA_KEY: secret,
  DATA_KEY_ID: dataKeyId,
  DATA_KEYS_RETIRED: retiredDataKeys,
  CARD_PAYMENT_MINUTES: minutes("30", 24 * 60),
  OFFLINE_PAYMENT_MINUTES: minutes("2880", 14 * 24 * 60),
  RETENTION_DAYS: retentionDays,
  STRIPE_SECRET_KEY: v.optional(v.pipe(v.string(), v.regex(/^(sk|rk)_(test|live)_\w+$/, "must be a Stripe secret key (sk_test_… or sk_live_…)"))),
  STRIPE_WEBHOOK_SECRET: v.optional(v.pipe(v.string(), v.regex(/^whsec_\w+$/, "must be a Stripe webhook signing secret (whsec_…)"))),
  STRIPE_PUBLISHABLE_KEY: v.optional(v.pipe(v.string(), v.regex(/^pk_(test|live)_\w+$/, "must be a Stripe publishable key (pk_test_… or pk_live_…)"))),
  STRIPE_API_URL: v.optional(v.pipe(v.string(), v.url("must be a URL such as http://127.0.0.1:12111"))),
  COOKIE_SECURE: v.optional(v.picklist(["auto", "always", "never"], "must be auto, always or never"), "auto"),
  TRUST_PROXY: v.optional(v.picklist(["true", "false"], "must be true or false"), "false"),
  DEMO_DATA: v.optional(v.picklist(["auto", "never"], "must be auto or never"), "auto"),
  DEFAULT_LOCALE: v.optional(v.picklist(locales, `must be one of ${locales.join(", ")}`), "zh-CN"),
  TIME_ZONE: v.optional(
    v.pipe(
      v.string(),
      v.check((zone) => {
        try {
          new Intl.DateTimeFormat("en", { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, "must be an IANA time zone such as Asia/Shanghai"),
    ),
    "Asia/Shanghai",
  ),
  LIVEKIT_URL: v.optional(v.pipe(v.string(), v.regex(/^(wss?|https?):\/\//, "must be a ws://, wss://, http:// or https:// URL"))),
  LIVEKIT_API_KEY: v.optional(v.pipe(v.string(), v.nonEmpty("must not be empty"))),
  LIVEKIT_API_SECRET: v.optional(v.pipe(v.string(), v.minLength(6, "must be at least 6 characters"))),
  /** Signs audit exports: an Ed25519 private key, PKCS#8, base64. Generated into data/ outside production. */
  AUDIT_SIGNING_KEY: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]{40,}={0,2}$/, "must be an Ed25519 private key (PKCS#8, base64)"))),
  IMAGES_DIR: v.optional(v.pipe(v.string(), v.nonEmpty("must not be empty"))),
  LOG_LEVEL: v.optional(v.picklist(["debug", "info", "warn", "error", "silent"], "must be debug, info, warn, error or silent"), "info"),
});

export type Config = v.InferOutput<typeof configSchema>;

export class ConfigError extends Error {}

/**
 * A URL as start-up lines and config errors may show it: without userinfo (user:pass@) and without the
 * query string or fragment, where a libSQL URL may carry `?authToken=…`.
 */
export function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1").replace(/[?#].*$/s, "");
}

/** Parses the environment; throws a ConfigError whose message is one line naming the variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const result = v.safeParse(configSchema, present);
  if (result.success) {
    const output = result.output;
    for (const name of ["SESSION_SECRET", "DATA_KEY"] as const) {
      if (output.NODE_ENV === "production" && !output[name]) throw new ConfigError(`config: ${name} must be set in production (32+ random characters)`);
    }
    if (output.DATA_KEYS_RETIRED.some((retired) => retired.id === output.DATA_KEY_ID)) {
      throw new ConfigError(`config: DATA_KEYS_RETIRED must not name the current DATA_KEY_ID (${output.DATA_KEY_ID})`);
    }
    if (output.NODE_ENV === "production" && !output.AUDIT_SIGNING_KEY) {
      throw new ConfigError("config: AUDIT_SIGNING_KEY must be set in production (an Ed25519 private key, PKCS#8, base64)");
    }
    if (!!output.STRIPE_SECRET_KEY !== !!output.STRIPE_WEBHOOK_SECRET) {
      throw new ConfigError("config: STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set together");
    }
    if ((output.DATABASE_SYNC_URL || output.DATABASE_PRIMARY_URL) && !output.DATABASE_URL.startsWith("file:")) {
      throw new ConfigError("config: DATABASE_SYNC_URL and DATABASE_PRIMARY_URL need a file: DATABASE_URL (the embedded replica)");
    }
    if (output.DATABASE_PRIMARY_URL && !output.DATABASE_SYNC_URL) {
      throw new ConfigError("config: DATABASE_PRIMARY_URL needs DATABASE_SYNC_URL (where the embedded replica syncs from)");
    }
    if (output.LIVEKIT_URL && (!output.LIVEKIT_API_KEY || !output.LIVEKIT_API_SECRET)) {
      throw new ConfigError("config: LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set with LIVEKIT_URL");
    }
    if (/^(sk|rk)_live_/.test(output.STRIPE_SECRET_KEY ?? "") && !output.STRIPE_PUBLISHABLE_KEY) {
      throw new ConfigError("config: STRIPE_PUBLISHABLE_KEY must be set with a live STRIPE_SECRET_KEY (shoppers enter their card through Stripe.js)");
    }
    return result.output;
  }
  const issue = result.issues[0];
  const name = issue.path?.[0]?.key ?? "environment";
  const secretName = /SECRET|TOKEN|KEY|PASSWORD/.test(String(name));
  const shown = typeof issue.input === "string" || typeof issue.input === "number" ? displayUrl(String(issue.input)) : undefined;
  const got = shown !== undefined && !secretName ? ` (got ${JSON.stringify(shown)})` : "";
  throw new ConfigError(`config: ${String(name)} ${issue.message}${got}`);
}
