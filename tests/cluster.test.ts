// Scale-out on one machine, for real (npm run cluster, docs/scale-out.md): a sqld primary and replica,
// two app instances on embedded replicas behind nginx, Redis and two LiveKit nodes joined through it.
// A flash sale spread over both instances sells exactly its stock; a shopper sees their order on the
// other instance at once; nginx shares requests between the instances; a room has viewers on both nodes.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { Room } from "@livekit/rtc-node";
import { AccessToken, RoomServiceClient } from "livekit-server-sdk";
import type { ReplicaPosition } from "../db/database.ts";
import { readYourWrites, signedWrittenIndex, WRITTEN_COOKIE } from "../db/read-your-writes.ts";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import type { Runtime } from "../src/bootstrap.ts";
import { parseConfig } from "../src/config.ts";
import { ClusterBrowser, checkoutForm, clusterProduct, missingSystemBinaries, onPrimary, openClusterRuntime, signedInShoppers, startCluster, type Cluster } from "./fixtures/cluster.ts";

const missing = missingSystemBinaries();
if (missing.length) console.warn(`cluster tests skipped: ${missing.join(" and ")} not installed (.ci/run installs them with apt-get)`);
const describeCluster = missing.length ? describe.skip : describe;

let cluster: Cluster;
let runtime: Runtime;
const rooms: Room[] = [];

beforeAll(async () => {
  if (missing.length) return;
  cluster = await startCluster();
  runtime = await openClusterRuntime(cluster);
}, 300_000);

afterAll(async () => {
  await Promise.allSettled(rooms.map((room) => room.disconnect()));
  runtime?.database.close();
  await cluster?.stop();
});

const orderIdIn = (response: Response) => /^\/orders\/(ord_[0-9A-Z]+)$/.exec(response.headers.get("location") ?? "")?.[1];

describeCluster("a flash sale spread over both instances", () => {
  it("sells exactly the 12 units to 12 of 36 buyers sent alternately to instance a and b, and no more", async () => {
    const units = 12;
    const { skuId } = await clusterProduct(runtime, units);
    const buyers = await signedInShoppers(cluster, runtime, 36, "flash");
    const instanceOf = (i: number) => cluster.instances[i % 2]!.url;
    const pages = await Promise.all(buyers.map((buyer, i) => buyer.get(instanceOf(i), `/checkout?sku=${skuId}&quantity=1`)));
    expect(pages.map((page) => page.status)).toEqual(buyers.map(() => 200));

    const answers = await Promise.all(buyers.map((buyer, i) => buyer.post(instanceOf(i), "/checkout", checkoutForm(skuId))));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 303)).toHaveLength(units);
    expect(statuses.filter((status) => status === 409)).toHaveLength(buyers.length - units);
    expect(new Set(answers.map(orderIdIn).filter(Boolean)).size).toBe(units);

    expect(await onPrimary(cluster, "SELECT stock FROM skus WHERE id = ?", [skuId])).toBe(0);
    expect(await onPrimary(cluster, "SELECT coalesce(sum(quantity), 0) FROM order_items WHERE sku_id = ?", [skuId])).toBe(units);
    expect(await onPrimary(cluster, "SELECT count(DISTINCT order_id) FROM order_items WHERE sku_id = ?", [skuId])).toBe(units);
    expect(await onPrimary(cluster, "SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE sku_id = ? AND reason = 'sale'", [skuId])).toBe(-units);
    // An embedded replica brought up to the highest index the buyers were shown has the same stock.
    const shown = Math.max(...buyers.map((buyer) => Number.parseInt(buyer.cookie(WRITTEN_COOKIE) ?? "0", 10)));
    expect(await runtime.database.replica!.catchUp(shown)).toBe(true);
    expect(Number((await runtime.database.client.execute({ sql: "SELECT stock FROM skus WHERE id = ?", args: [skuId] })).rows[0]![0])).toBe(0);
  }, 120_000);
});

describeCluster("read-your-writes across instances", () => {
  it("shows an order placed on one instance on the other instance's order pages at once, both ways", async () => {
    const { skuId } = await clusterProduct(runtime, 20);
    const [shopper] = await signedInShoppers(cluster, runtime, 1, "ryw");
    const [a, b] = cluster.instances.map((instance) => instance.url) as [string, string];
    for (const [writer, reader] of [[a, b], [b, a], [a, b], [b, a]] as const) {
      expect((await shopper!.get(writer, `/checkout?sku=${skuId}&quantity=1`)).status).toBe(200);
      const placed = await shopper!.post(writer, "/checkout", checkoutForm(skuId));
      expect(placed.status).toBe(303);
      const orderId = orderIdIn(placed)!;
      expect(orderId).toBeDefined();
      // The answer told the browser how far the writes went, so the other instance catches up first.
      expect(Number.parseInt(shopper!.cookie(WRITTEN_COOKIE) ?? "0", 10)).toBeGreaterThan(0);

      const order = await shopper!.get(reader, `/orders/${orderId}`);
      expect(order.status).toBe(200);
      expect(await order.text()).toContain(orderId);
      const list = await shopper!.get(reader, "/orders");
      expect(list.status).toBe(200);
      expect(await list.text()).toContain(orderId);
    }
  }, 60_000);
});

describeCluster("nginx in front", () => {
  it("shares requests round-robin between both instances, each naming itself", async () => {
    const answered = new Map<string, number>();
    for (let i = 0; i < 8; i++) {
      const response = await fetch(`${cluster.url}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("ok");
      const name = cluster.instanceOf(response)?.name ?? `unknown (${response.headers.get("x-broadcart-instance")})`;
      answered.set(name, (answered.get(name) ?? 0) + 1);
    }
    expect(Object.fromEntries(answered)).toEqual({ a: 4, b: 4 });
    const home = await fetch(cluster.url + "/");
    expect(home.status).toBe(200);
  });

  it("keeps a shopper who signs in through nginx signed in on the next pages, whichever instance serves them", async () => {
    const browser = new ClusterBrowser();
    const served: string[] = [];
    const note = (response: Response) => {
      served.push(cluster.instanceOf(response)?.name ?? "?");
      return response;
    };
    expect(note(await browser.get(cluster.url, "/signin")).status).toBe(200);
    const signedIn = note(await browser.post(cluster.url, "/signin", { email: "shopper@demo.broadcart.test", password: DEMO_PASSWORD }));
    expect(signedIn.status).toBe(303);
    for (let i = 0; i < 2; i++) {
      const account = note(await browser.get(cluster.url, "/account"));
      expect(account.status).toBe(200);
      expect(await account.text()).toContain("shopper@demo.broadcart.test");
    }
    // Round-robin, no sticky sessions: the sign-in and the pages after it were served by both instances.
    expect(new Set(served.slice(1))).toEqual(new Set(["a", "b"]));
  }, 60_000);
});

describeCluster("two LiveKit nodes joined through Redis", () => {
  it("has a room created on node 1 with one viewer connected through each node, seen from either node", async () => {
    const [node1, node2] = cluster.liveKit as [Cluster["liveKit"][number], Cluster["liveKit"][number]];
    const { liveKitApiKey: apiKey, liveKitApiSecret: apiSecret } = cluster.secrets;
    const service = (node: typeof node1) => new RoomServiceClient(node.httpUrl, apiKey, apiSecret);
    const roomName = `cluster-${Date.now().toString(36)}`;
    await service(node1).createRoom({ name: roomName, emptyTimeout: 60 });

    const viewerToken = (identity: string) => {
      const token = new AccessToken(apiKey, apiSecret, { identity, ttl: "5m" });
      token.addGrant({ roomJoin: true, room: roomName, canSubscribe: true, canPublish: false });
      return token.toJwt();
    };
    for (const [identity, node] of [["viewer-on-node-1", node1], ["viewer-on-node-2", node2]] as const) {
      const room = new Room();
      rooms.push(room);
      await room.connect(node.url, await viewerToken(identity), { autoSubscribe: true, dynacast: false });
    }

    for (const node of [node1, node2]) {
      const identities = (await service(node).listParticipants(roomName)).map((participant) => participant.identity).sort();
      expect(identities).toEqual(["viewer-on-node-1", "viewer-on-node-2"]);
    }
    expect((await service(node2).listRooms([roomName])).map((room) => room.name)).toEqual([roomName]);
  }, 60_000);
});

describe("the bc_written cookie (no cluster needed)", () => {
  const secret = "s".repeat(32);
  const options = { secret, cookies: { secure: "auto" as const, trustProxy: true } };
  const signed = (index: number) => signedWrittenIndex(index, secret);
  /** A replica position the test moves by hand, noting every index it was asked to catch up to. */
  function fakeReplica(state: { synced: number; written: number }) {
    const caughtUpTo: number[] = [];
    const position: ReplicaPosition = {
      synced: () => state.synced,
      written: () => state.written,
      catchUp: async (index) => {
        caughtUpTo.push(index);
        state.synced = Math.max(state.synced, index);
        return true;
      },
    };
    return { position, caughtUpTo };
  }
  const written = (response: Response) => response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${WRITTEN_COOKIE}=`));

  it("syncs before serving a request whose signed index the replica has not reached, and only then", async () => {
    const state = { synced: 10, written: 10 };
    const { position, caughtUpTo } = fakeReplica(state);
    const served: number[] = [];
    const fetch = readYourWrites(
      position,
      () => {
        served.push(state.synced);
        return new Response("ok");
      },
      options,
    );
    await fetch(new Request("http://x/", { headers: { cookie: `bc_session=s; ${WRITTEN_COOKIE}=${await signed(8)}` } }));
    await fetch(new Request("http://x/", { headers: { cookie: `${WRITTEN_COOKIE}=${await signed(15)}; other=1` } }));
    await fetch(new Request("http://x/", { headers: { cookie: `${WRITTEN_COOKIE}=abc` } }));
    expect(caughtUpTo).toEqual([15]);
    expect(served).toEqual([10, 15, 15]);
  });

  it("ignores a forged index: unsigned, signed under another secret, or with its signature moved to another index", async () => {
    const state = { synced: 10, written: 10 };
    const { position, caughtUpTo } = fakeReplica(state);
    const fetch = readYourWrites(position, () => new Response("ok"), options);
    const otherSecret = await signedWrittenIndex(999_999_999_999_999, "o".repeat(32));
    const moved = `999999999999999.${(await signed(15)).split(".")[1]}`;
    for (const value of ["999999999999999", otherSecret, moved]) {
      const answer = await fetch(new Request("http://x/", { headers: { cookie: `${WRITTEN_COOKIE}=${value}` } }));
      expect(await answer.text()).toBe("ok");
    }
    expect(caughtUpTo).toEqual([]);
  });

  it("tells the browser the signed index its request's writes reached, and says nothing after a request that wrote nothing", async () => {
    const state = { synced: 10, written: 10 };
    const { position } = fakeReplica(state);
    const writing = readYourWrites(
      position,
      () => {
        state.written = 42;
        return new Response(null, { status: 303, headers: { location: "/orders/ord_1", "set-cookie": "bc_csrf=t; Path=/" } });
      },
      options,
    );
    const answer = await writing(new Request("http://x/checkout", { method: "POST" }));
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/orders/ord_1");
    expect(answer.headers.getSetCookie()).toHaveLength(2);
    expect(written(answer)).toStartWith(`${WRITTEN_COOKIE}=${await signed(42)};`);
    expect(written(answer)).not.toContain("Secure");

    const reading = readYourWrites(position, () => new Response("page"), options);
    expect(written(await reading(new Request("http://x/orders")))).toBeUndefined();
  });

  it("marks the cookie Secure as the session cookie is: over https, behind a trusted proxy that says https, or always", async () => {
    const state = { synced: 10, written: 10 };
    const { position } = fakeReplica(state);
    const answerWith = async (cookies: { secure: "auto" | "always" | "never"; trustProxy: boolean }, request: Request) => {
      const writing = readYourWrites(position, () => ((state.written += 1), new Response("ok")), { secret, cookies });
      return written(await writing(request)) ?? "";
    };
    expect(await answerWith({ secure: "auto", trustProxy: false }, new Request("https://x/checkout"))).toContain("; Secure");
    expect(await answerWith({ secure: "auto", trustProxy: true }, new Request("http://x/checkout", { headers: { "x-forwarded-proto": "https" } }))).toContain("; Secure");
    expect(await answerWith({ secure: "auto", trustProxy: false }, new Request("http://x/checkout", { headers: { "x-forwarded-proto": "https" } }))).not.toContain("Secure");
    expect(await answerWith({ secure: "always", trustProxy: false }, new Request("http://x/checkout"))).toContain("; Secure");
    expect(await answerWith({ secure: "never", trustProxy: false }, new Request("https://x/checkout"))).not.toContain("Secure");
  });
});

describe("embedded replica settings", () => {
  it("takes a file: DATABASE_URL with the server it syncs from and the primary it writes to", () => {
    const config = parseConfig({ DATABASE_URL: "file:data/replica.db", DATABASE_SYNC_URL: "http://sqld-replica:8080", DATABASE_PRIMARY_URL: "https://primary.example:8080" });
    expect(config).toMatchObject({ DATABASE_SYNC_URL: "http://sqld-replica:8080", DATABASE_PRIMARY_URL: "https://primary.example:8080" });
  });

  it("refuses a sync URL without a local file, a primary without a sync URL, and a sync URL that is not http(s)", () => {
    expect(() => parseConfig({ DATABASE_URL: "http://sqld:8080", DATABASE_SYNC_URL: "http://sqld:8080" })).toThrow("need a file: DATABASE_URL");
    expect(() => parseConfig({ DATABASE_URL: "file:r.db", DATABASE_PRIMARY_URL: "http://sqld:8080" })).toThrow("DATABASE_PRIMARY_URL needs DATABASE_SYNC_URL");
    expect(() => parseConfig({ DATABASE_URL: "file:r.db", DATABASE_SYNC_URL: "libsql://sqld:8080" })).toThrow("config: DATABASE_SYNC_URL must be an http:// or https:// URL");
  });
});
