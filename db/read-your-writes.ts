// Read-your-writes across app instances whose databases are embedded replicas. A response to a request
// during which this instance committed writes carries a cookie with the replication index those writes
// reached (`bc_written`); a request that brings the cookie to any instance first syncs that instance's
// replica up to the index. So a shopper who places an order on one instance sees it on the next page,
// whichever instance serves it, while everyone else's reads never wait for a sync.
//
// The index is over-approximated (the highest this instance has written, which may include other
// shoppers' writes): that can cost a reader one sync more, never a stale page. A forged, too-high index
// costs its sender a sync per request and no more (catchUp gives up at its deadline).
import type { ReplicaPosition } from "./database.ts";

export const WRITTEN_COOKIE = "bc_written";
/** Long past any replica's lag: by then its periodic sync has passed the index anyway. */
const COOKIE_MAX_AGE_SECONDS = 600;

type Fetch<Rest extends unknown[]> = (request: Request, ...rest: Rest) => Response | Promise<Response>;

export function readYourWrites<Rest extends unknown[]>(replica: ReplicaPosition, fetch: Fetch<Rest>): (request: Request, ...rest: Rest) => Promise<Response> {
  return async (request, ...rest) => {
    const shown = writtenIndex(request.headers.get("cookie"));
    if (shown > replica.synced()) await replica.catchUp(shown);
    const writtenBefore = replica.written();
    const response = await fetch(request, ...rest);
    const written = replica.written();
    // Nothing committed here while this request ran, so it wrote nothing the shopper could miss.
    if (written === writtenBefore || written <= shown) return response;
    const headers = new Headers(response.headers);
    headers.append("set-cookie", `${WRITTEN_COOKIE}=${written}; Path=/; Max-Age=${COOKIE_MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax`);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

function writtenIndex(cookieHeader: string | null): number {
  const match = cookieHeader ? new RegExp(`(?:^|;\\s*)${WRITTEN_COOKIE}=(\\d{1,15})(?:;|$)`).exec(cookieHeader) : null;
  return match ? Number(match[1]) : 0;
}
