import { describe, expect, it } from "bun:test";
import { ConfigError, displayUrl, parseConfig } from "./config.ts";

describe("configuration", () => {
  it("runs with no environment at all, on the embedded database", () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe("127.0.0.1");
    expect(config.DATABASE_URL).toBe("file:data/broadcart.db");
    expect(config.DEFAULT_LOCALE).toBe("zh-CN");
  });

  it("accepts every database URL scheme the client speaks", () => {
    for (const url of ["file:/tmp/x.db", "http://127.0.0.1:8080", "https://db.example", "libsql://db.example", "wss://db.example"]) {
      expect(parseConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    }
  });

  const bad: [Record<string, string>, string][] = [
    [{ PORT: "abc" }, 'config: PORT must be a whole number (got "abc")'],
    [{ PORT: "70000" }, 'config: PORT must be between 1 and 65535 (got "70000")'],
    [{ DATABASE_URL: "postgres://x" }, "config: DATABASE_URL must start with file:, http:, https:, libsql:, ws: or wss:"],
    [{ SESSION_SECRET: "short" }, "config: SESSION_SECRET must be at least 32 characters"],
    [{ TIME_ZONE: "Mars/Olympus" }, "config: TIME_ZONE must be an IANA time zone"],
    [{ NODE_ENV: "production" }, "config: SESSION_SECRET must be set in production"],
    [{ NODE_ENV: "production", SESSION_SECRET: "s".repeat(32) }, "config: DATA_KEY must be set in production"],
    [{ STRIPE_SECRET_KEY: "sk_test_123" }, "config: STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set together"],
    [{ STRIPE_SECRET_KEY: "pk_test_123" }, "config: STRIPE_SECRET_KEY must be a Stripe secret key"],
    [{ STRIPE_SECRET_KEY: "sk_live_123", STRIPE_WEBHOOK_SECRET: "whsec_123" }, "config: STRIPE_PUBLISHABLE_KEY must be set with a live STRIPE_SECRET_KEY"],
    [{ CARD_PAYMENT_MINUTES: "0" }, "config: CARD_PAYMENT_MINUTES must be between 1 and 1440"],
    [{ DEFAULT_LOCALE: "fr" }, "config: DEFAULT_LOCALE must be one of zh-CN, en"],
    [{ RETENTION_DAYS: "29" }, 'config: RETENTION_DAYS must be between 30 and 36500 days (got "29")'],
    [{ RETENTION_DAYS: "200000000" }, 'config: RETENTION_DAYS must be between 30 and 36500 days (got "200000000")'],
  ];
  for (const [env, message] of bad) {
    it(`stops with one line naming ${Object.keys(env)[0]} for ${JSON.stringify(env)}`, () => {
      let error: unknown;
      try {
        parseConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message.startsWith(message)).toBe(true);
      expect((error as Error).message).not.toContain("\n");
    });
  }

  it("never echoes a secret's value in the error", () => {
    expect(() => parseConfig({ SESSION_SECRET: "hunter2" })).toThrow(/^(?!.*hunter2)/);
  });

  it("keeps 100 years of records at most, so the purge cutoff is always a date", () => {
    expect(parseConfig({ RETENTION_DAYS: "36500" }).RETENTION_DAYS).toBe(36500);
  });

  it("echoes a database URL without its user, password or query string (where an authToken may ride)", () => {
    let message = "";
    try {
      parseConfig({ DATABASE_URL: "postgres://admin:hunter2@db.example:5432/shop?authToken=eyJsecret&sslmode=require" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('config: DATABASE_URL must start with file:, http:, https:, libsql:, ws: or wss: (got "postgres://db.example:5432/shop")');
  });

  it("shows URLs scrubbed of credentials for start-up lines", () => {
    expect(displayUrl("libsql://user:pass@db.example:8080/x?authToken=abc#frag")).toBe("libsql://db.example:8080/x");
    expect(displayUrl("https://db.example?authToken=abc")).toBe("https://db.example");
    expect(displayUrl("file:data/broadcart.db")).toBe("file:data/broadcart.db");
  });
});

describe("data key configuration", () => {
  const key = (c: string) => c.repeat(32);

  it("names the data key k1 and retires none by default", () => {
    const config = parseConfig({});
    expect(config.DATA_KEY_ID).toBe("k1");
    expect(config.DATA_KEYS_RETIRED).toEqual([]);
  });

  it("reads the current key id and the retired id:key pairs", () => {
    const config = parseConfig({ DATA_KEY: key("c"), DATA_KEY_ID: "k3", DATA_KEYS_RETIRED: `k1:${key("a")}, k-2:${key("b")}:with-colon` });
    expect(config.DATA_KEY_ID).toBe("k3");
    expect(config.DATA_KEYS_RETIRED).toEqual([
      { id: "k1", key: key("a") },
      { id: "k-2", key: `${key("b")}:with-colon` },
    ]);
  });

  const bad: [Record<string, string>, string][] = [
    [{ DATA_KEY_ID: "Key.1" }, "config: DATA_KEY_ID must be 1 to 16 characters of a-z, 0-9 and -"],
    [{ DATA_KEY_ID: "k".repeat(17) }, "config: DATA_KEY_ID must be 1 to 16 characters"],
    [{ DATA_KEYS_RETIRED: key("a") }, "config: DATA_KEYS_RETIRED must be comma-separated id:key pairs"],
    [{ DATA_KEYS_RETIRED: "k0:too-short-a-key" }, "config: DATA_KEYS_RETIRED must be comma-separated id:key pairs"],
    [{ DATA_KEYS_RETIRED: `K0:${key("a")}` }, "config: DATA_KEYS_RETIRED must be comma-separated id:key pairs"],
    [{ DATA_KEYS_RETIRED: `k0:${key("a")},k0:${key("b")}` }, "config: DATA_KEYS_RETIRED must not name a key id twice"],
    [{ DATA_KEY_ID: "k2", DATA_KEYS_RETIRED: `k2:${key("a")}` }, "config: DATA_KEYS_RETIRED must not name the current DATA_KEY_ID (k2)"],
    [{ DATA_KEYS_RETIRED: `k1:${key("a")}` }, "config: DATA_KEYS_RETIRED must not name the current DATA_KEY_ID (k1)"],
  ];
  for (const [env, message] of bad) {
    it(`stops with one line, "${message}…", for ${Object.keys(env).join(" and ")}`, () => {
      let error: unknown;
      try {
        parseConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message.startsWith(message)).toBe(true);
      expect((error as Error).message).not.toContain("\n");
      expect((error as Error).message).not.toContain("aaaaaaaa");
    });
  }
});
