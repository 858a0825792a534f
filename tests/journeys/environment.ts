// The settings every target gets, whatever its runtime: the same secrets the database was seeded with
// (addresses and till secrets are sealed with DATA_KEY), an audit signing key, the LiveKit server the
// live journey uses, English pages and the shop's time zone.
import { generateAuditSigningKey } from "../../modules/compliance/index.ts";

export interface LiveKitSettings {
  url: string;
  apiKey: string;
  apiSecret: string;
}

export const SHOP_TIME_ZONE = "Asia/Shanghai";

export async function journeyEnvironment(liveKit: LiveKitSettings): Promise<Record<string, string>> {
  return {
    SESSION_SECRET: "journeys-session-secret-0123456789abcdef",
    DATA_KEY: "journeys-data-key-0123456789abcdef-0123",
    AUDIT_SIGNING_KEY: await generateAuditSigningKey(),
    LIVEKIT_URL: liveKit.url,
    LIVEKIT_API_KEY: liveKit.apiKey,
    LIVEKIT_API_SECRET: liveKit.apiSecret,
    DEFAULT_LOCALE: "en",
    TIME_ZONE: SHOP_TIME_ZONE,
    COOKIE_SECURE: "auto",
    LOG_LEVEL: "warn",
  };
}
