// Read-your-writes across app instances whose databases are embedded replicas. A response to a request
// during which this instance committed writes carries a cookie with the replication index those writes
// reached (`bc_written`); a request that brings the cookie to any instance first syncs that instance's
// replica up to the index. So a shopper who places an order on one instance sees it on the next page,
// whichever instance serves it, while everyone else's reads never wait for a sync.
//
// The index is over-approximated (the highest this instance has written, which may include other
// shoppers' writes): that can cost a reader one sync more, never a stale page. The cookie is signed
// (HMAC under the session secret, which every instance shares), so only an index some instance handed
// out makes a request wait; an unsigned or altered one is ignored. Waiting is bounded anyway: the
// replica shares one sync among all waiters and stops at an index the primary has not reached
// (db/embedded-replica.ts).
import type { ReplicaPosition } from "./database.ts";
import { constantTimeEqual, hmacSha256 } from "../src/platform/crypto.ts";
import { cookiesSecureFor, type CookiePolicy } from "../src/platform/cookies.ts";

export const WRITTEN_COOKIE = "bc_written";
/** Long past any replica's lag: by then its periodic sync has passed the index anyway. */
const COOKIE_MAX_AGE_SECONDS = 600;

export interface ReadYourWritesOptions {
  /** SESSION_SECRET: the same on every instance, so any of them can check another's cookie. */
  secret: string;
  /** COOKIE_SECURE and TRUST_PROXY, decided as for the session cookie. */
  cookies: CookiePolicy;
}

type Fetch<Rest extends unknown[]> = (request: Request, ...rest: Rest) => Response | Promise<Response>;

export function readYourWrites<Rest extends unknown[]>(
  replica: ReplicaPosition,
  fetch: Fetch<Rest>,
  options: ReadYourWritesOptions,
): (request: Request, ...rest: Rest) => Promise<Response> {
  return async (request, ...rest) => {
    const shown = await writtenIndex(request.headers.get("cookie"), options.secret);
    if (shown > replica.synced()) await replica.catchUp(shown);
    const writtenBefore = replica.written();
    const response = await fetch(request, ...rest);
    const written = replica.written();
    // Nothing committed here while this request ran, so it wrote nothing the shopper could miss.
    if (written === writtenBefore || written <= shown) return response;
    const headers = new Headers(response.headers);
    const secure = cookiesSecureFor(options.cookies, request) ? "; Secure" : "";
    headers.append(
      "set-cookie",
      `${WRITTEN_COOKIE}=${await signedWrittenIndex(written, options.secret)}; Path=/; Max-Age=${COOKIE_MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${secure}`,
    );
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

/** The cookie's value for `index`: `<index>.<signature>`. */
export async function signedWrittenIndex(index: number, secret: string): Promise<string> {
  return `${index}.${await hmacSha256(secret, `${WRITTEN_COOKIE}:${index}`)}`;
}

/** The index a request's cookie carries, or 0 when it has none or its signature does not hold. */
async function writtenIndex(cookieHeader: string | null, secret: string): Promise<number> {
  const match = cookieHeader ? new RegExp(`(?:^|;\\s*)${WRITTEN_COOKIE}=(\\d{1,15})\\.([A-Za-z0-9_-]{43})(?:;|$)`).exec(cookieHeader) : null;
  if (!match) return 0;
  const index = Number(match[1]);
  const expected = await hmacSha256(secret, `${WRITTEN_COOKIE}:${index}`);
  return constantTimeEqual(match[2]!, expected) ? index : 0;
}
