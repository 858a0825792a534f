// Store communities through the real app: staff and hosts post, shoppers comment and like, the
// compliance term list refuses posts and comments before anything is stored, staff remove content and
// mute members (audited), and erasure leaves a member's comments in place without their words.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { ERASED_BODY } from "../modules/social/index.ts";
import { demoStoreId, newShopper, scalar, testProduct } from "./fixtures/commerce.ts";
import { fastTestPasswords, startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

/** A real 1×1 PNG. */
const TINY_PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="), (ch) => ch.charCodeAt(0));

let app: TestApp;
let storeId: string;
let owner: TestClient;
let communityPath: string;

beforeAll(async () => {
  app = await startTestApp({ passwords: fastTestPasswords() });
  storeId = await demoStoreId(app);
  communityPath = `/stores/${storeId}/community`;
  owner = app.client();
  await owner.signIn("owner@demo.broadcart.test", DEMO_PASSWORD);
}, 60_000);
afterAll(() => app.close());

const userId = async (email: string) => (await app.services.accounts.findByEmail(email))!.id;

/** A post by the demo store's owner, made through the service; its id. */
async function ownerPost(body: string): Promise<string> {
  return app.services.community.createPost(await userId("owner@demo.broadcart.test"), { storeId, body, picture: null, productId: null, sessionId: null });
}

const likesOf = (postId: string) => scalar(app, "SELECT likes FROM community_posts WHERE id = ?", [postId]);

describe("posting", () => {
  it("shows the demo store's posts to anyone, with the product card and the announced show", async () => {
    const page = await (await app.client().get(communityPath)).text();
    expect(page).toContain("pre-Qingming Longjing is in");
    expect(page).toContain("Spring tea unboxing tomorrow");
    expect(page).toContain('class="product-card"');
    expect(page).toContain("Upcoming show:");
    expect(page).toContain("Sign in to comment and like.");
    expect(page).not.toContain('id="post-composer"');
  });

  it("lets the owner post a picture and a product card, which the page then shows", async () => {
    const { productId } = await testProduct(app, { priceFen: 12_800, stock: 3 });
    const page = await (await owner.get(communityPath)).text();
    expect(page).toContain('id="post-composer"');
    const response = await owner.postMultipart(`${communityPath}/posts`, { body: "新品上架 New arrivals this week", productId }, { picture: new File([TINY_PNG], "tea.png", { type: "image/png" }) });
    expect(response.status).toBe(303);
    const after = await (await app.client().get(communityPath)).text();
    expect(after).toContain("新品上架 New arrivals this week");
    const pictureUrl = /src="(\/media\/community\/pst_[0-9A-Z]{26}\.png)"/.exec(after)?.[1];
    expect(pictureUrl).toBeDefined();
    expect(after).toContain(`href="/products/${productId}"`);
    const picture = await app.client().request(pictureUrl!);
    expect(picture.status).toBe(200);
    expect(picture.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await picture.arrayBuffer())).toEqual(TINY_PNG);
  });

  it("lets a host of the store's shows post too", async () => {
    const host = app.client();
    await host.signIn("host.zhou@demo.broadcart.test", DEMO_PASSWORD);
    await host.get(communityPath);
    expect((await host.postMultipart(`${communityPath}/posts`, { body: "周六见 See you Saturday" }, {})).status).toBe(303);
    expect(await (await app.client().get(communityPath)).text()).toContain("周六见 See you Saturday");
  });

  it("refuses a picture that is not one, and stores nothing", async () => {
    const before = await scalar(app, "SELECT count(*) FROM community_posts");
    const response = await owner.postMultipart(`${communityPath}/posts`, { body: "Not a picture" }, { picture: new File([new TextEncoder().encode("hello, world")], "a.png", { type: "image/png" }) }, { htmx: true });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("JPEG, PNG or WebP");
    expect(await scalar(app, "SELECT count(*) FROM community_posts")).toBe(before);
  });

  it("refuses a post with a banned term with 422 naming it, and stores nothing", async () => {
    const before = await scalar(app, "SELECT count(*) FROM community_posts");
    expect(app.services.moderation.bannedTerms("我们的龙井是最好的")).toEqual(["最好"]);
    const response = await owner.postMultipart(`${communityPath}/posts`, { body: "我们的龙井是最好的" }, {}, { htmx: true });
    expect(response.status).toBe(422);
    const text = await response.text();
    expect(text).toContain("advertising rules do not allow");
    expect(text).toContain("“最好”");
    expect(await scalar(app, "SELECT count(*) FROM community_posts")).toBe(before);
  });

  it("does not let a shopper post (403), nor a host who has nothing to do with the store", async () => {
    const { client } = await newShopper(app, "poster");
    await client.get(communityPath);
    expect((await client.postMultipart(`${communityPath}/posts`, { body: "我也想发帖" }, {})).status).toBe(403);
    const outsider = await app.services.accounts.createAccount({ email: "outside.host@example.com", displayName: "Outside host", password: "long-enough-password", roles: ["host"] }, { type: "system", id: "test" });
    const host = app.client();
    await host.signIn("outside.host@example.com", "long-enough-password");
    await host.get(communityPath);
    const refused = await host.postMultipart(`${communityPath}/posts`, { body: "Hello from elsewhere" }, {});
    expect(refused.status).toBe(403);
    expect(await scalar(app, "SELECT count(*) FROM community_posts WHERE author_id = ?", [outsider.id])).toBe(0);
  });

  it("lets a host post while a show of theirs for the store is scheduled or live, and not once it has ended", async () => {
    const guest = await app.services.accounts.createAccount({ email: "guest.host@example.com", displayName: "Guest host", password: "long-enough-password", roles: ["host"] }, { type: "system", id: "test" });
    const show = await app.services.live.scheduleSession({ type: "system", id: "test" }, { storeId, hostId: guest.id, title: "Guest show", scheduledAt: new Date(Date.now() + 60 * 60_000), productIds: [] });
    const host = app.client();
    await host.signIn("guest.host@example.com", "long-enough-password");
    await host.get(communityPath);
    expect((await host.postMultipart(`${communityPath}/posts`, { body: "Guest show tonight" }, {})).status).toBe(303);

    await app.services.live.startSession({ type: "user", id: guest.id }, show.id);
    await app.services.live.endSession({ type: "user", id: guest.id }, show.id);
    await host.get(communityPath);
    expect((await host.postMultipart(`${communityPath}/posts`, { body: "Still here after the show" }, {})).status).toBe(403);
    expect(await scalar(app, "SELECT count(*) FROM community_posts WHERE author_id = ?", [guest.id])).toBe(1);
  });

  it("pages through posts newest first, without repeating or skipping one", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 22; i++) ids.push(await ownerPost(`Paging post ${i}`));
    const seen: { id: string; at: number }[] = [];
    let cursor: string | null = null;
    do {
      const page = await app.services.community.page(storeId, null, cursor, 20);
      expect(page.posts.length).toBeLessThanOrEqual(20);
      seen.push(...page.posts.map((post) => ({ id: post.id, at: post.createdAt.getTime() })));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen.map((post) => post.id)).size).toBe(seen.length);
    expect(seen.map((post) => post.id)).toEqual(expect.arrayContaining(ids));
    expect(seen.every((post, i) => i === 0 || seen[i - 1]!.at >= post.at)).toBe(true);

    const first = await (await app.client().get(communityPath)).text();
    const older = /href="(\/stores\/[^"]+\/community\?after=[^"]+)"/.exec(first)?.[1];
    expect(older).toBeDefined();
    const olderPage = await (await app.client().get(older!)).text();
    const shownFirst = [...first.matchAll(/id="post-(pst_[0-9A-Z]{26})"/g)].map((m) => m[1]);
    const shownOlder = [...olderPage.matchAll(/id="post-(pst_[0-9A-Z]{26})"/g)].map((m) => m[1]);
    expect(shownFirst.length).toBe(20);
    expect(shownOlder.length).toBeGreaterThan(0);
    expect(shownOlder.filter((id) => shownFirst.includes(id))).toEqual([]);
  });
});

describe("comments and likes", () => {
  it("lets a shopper comment, and counts a like once however often it is sent", async () => {
    const postId = await ownerPost("Which tea should we open next?");
    const { client } = await newShopper(app, "fan");
    await client.get(communityPath);
    const comment = await client.post(`/community/posts/${postId}/comments`, { body: "白茶！White tea please" }, { htmx: true });
    expect(comment.status).toBe(200);
    const block = await comment.text();
    expect(block).toContain("白茶！White tea please");
    expect(block).toContain("1 comments");
    expect((await client.post(`/community/posts/${postId}/like`, {}, { htmx: true })).status).toBe(200);
    const again = await client.post(`/community/posts/${postId}/like`, {}, { htmx: true });
    expect(await again.text()).toContain("1 likes");
    expect(await likesOf(postId)).toBe(1);
    expect(await scalar(app, "SELECT count(*) FROM community_likes WHERE post_id = ?", [postId])).toBe(1);
    const unliked = await client.post(`/community/posts/${postId}/unlike`, {}, { htmx: true });
    expect(await unliked.text()).toContain("0 likes");
    expect((await client.post(`/community/posts/${postId}/unlike`, {}, { htmx: true })).status).toBe(200);
    expect(await likesOf(postId)).toBe(0);
  });

  it("refuses a comment with a spaced-out banned term with 422 naming it, and stores nothing", async () => {
    const postId = await ownerPost("Tell us what you think");
    const { client, id } = await newShopper(app, "critic");
    await client.get(communityPath);
    const response = await client.post(`/community/posts/${postId}/comments`, { body: "这家店的茶是第 一 名" }, { htmx: true });
    expect(response.status).toBe(422);
    const text = await response.text();
    expect(text).toContain("advertising rules do not allow");
    for (const term of app.services.moderation.bannedTerms("这家店的茶是第 一 名")) expect(text).toContain(`“${term}”`);
    expect(app.services.moderation.bannedTerms("这家店的茶是第 一 名").length).toBeGreaterThan(0);
    const withoutHtmx = await client.post(`/community/posts/${postId}/comments`, { body: "这家店的茶是第 一 名" });
    expect(withoutHtmx.status).toBe(422);
    const page = await withoutHtmx.text();
    expect(page).toContain("<!doctype html>");
    expect(page).toMatch(/data-testid="comment-error">Not posted: advertising rules do not allow “/);
    expect(await scalar(app, "SELECT count(*) FROM community_comments WHERE author_id = ?", [id])).toBe(0);
    expect(await scalar(app, "SELECT comments FROM community_posts WHERE id = ?", [postId])).toBe(0);
  });

  it("shows the first 50 comments of a busy post, in order", async () => {
    const postId = await ownerPost("A very popular question");
    const author = await userId("shopper@demo.broadcart.test");
    const base = Date.now();
    for (let i = 0; i < 60; i++) {
      await app.database.client.execute({ sql: "INSERT INTO community_comments (id, post_id, author_id, body, status, created_at) VALUES (?, ?, ?, ?, 'visible', ?)", args: [`cmt_BUSY${String(i).padStart(3, "0")}`, postId, author, `Busy comment ${String(i).padStart(3, "0")}`, base + i] });
    }
    const busy = (await app.services.community.post(postId, null))!;
    expect(busy.comments).toHaveLength(50);
    expect(busy.comments[0]!.body).toBe("Busy comment 000");
    expect(busy.comments.at(-1)!.body).toBe("Busy comment 049");
  });

  it("sends an anonymous comment to sign in", async () => {
    const postId = await ownerPost("Anyone there?");
    const anonymous = app.client();
    await anonymous.get(communityPath);
    expect((await anonymous.post(`/community/posts/${postId}/comments`, { body: "hi" }, { htmx: true })).status).toBe(401);
  });
});

describe("moderation by the store's staff", () => {
  it("mutes a shopper, who then cannot comment or like (403) while others can, until unmuted", async () => {
    const postId = await ownerPost("Tasting notes thread");
    const noisy = await newShopper(app, "noisy");
    const polite = await newShopper(app, "polite");
    await noisy.client.get(communityPath);
    await noisy.client.post(`/community/posts/${postId}/comments`, { body: "Buy my tea instead" }, { htmx: true });
    const staff = app.client();
    await staff.signIn("staff@demo.broadcart.test", DEMO_PASSWORD);
    const page = await (await staff.get(communityPath)).text();
    expect(page).toContain(`name="userId" value="${noisy.id}"`);
    const muted = await staff.post(`${communityPath}/mutes`, { userId: noisy.id, reason: "Advertising another shop" }, { htmx: true });
    expect(muted.status).toBe(200);
    expect(await muted.text()).toContain("is muted in this community");

    const refused = await noisy.client.post(`/community/posts/${postId}/comments`, { body: "Why?" }, { htmx: true });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("muted you");
    expect((await noisy.client.post(`/community/posts/${postId}/like`, {}, { htmx: true })).status).toBe(403);
    expect(await (await noisy.client.get(communityPath)).text()).toContain("muted you in its community");
    await polite.client.get(communityPath);
    expect((await polite.client.post(`/community/posts/${postId}/comments`, { body: "Lovely and fresh" }, { htmx: true })).status).toBe(200);

    const [entry] = await app.services.audit.recent(1);
    expect(entry).toMatchObject({ action: "community.member_muted", subject: `store:${storeId}`, data: { userId: noisy.id, reason: "Advertising another shop" } });

    expect((await staff.post(`${communityPath}/mutes/${noisy.id}/remove`, {}, { htmx: true })).status).toBe(200);
    expect((await noisy.client.post(`/community/posts/${postId}/comments`, { body: "Sorry, won't happen again" }, { htmx: true })).status).toBe(200);
  });

  it("refuses to mute the store's own staff", async () => {
    const staffId = await userId("staff@demo.broadcart.test");
    await owner.get(communityPath);
    expect((await owner.post(`${communityPath}/mutes`, { userId: staffId, reason: "test" }, { htmx: true })).status).toBe(409);
  });

  it("does not let a shopper remove a comment or mute anyone", async () => {
    const postId = await ownerPost("Shoppers cannot moderate");
    const { client, id } = await newShopper(app, "vigilante");
    await client.get(communityPath);
    const comment = await app.services.community.comment(id, postId, "my own words");
    expect((await client.post(`/community/comments/${comment.id}/remove`, {}, { htmx: true })).status).toBe(403);
    expect((await client.post(`${communityPath}/mutes`, { userId: id, reason: "x" }, { htmx: true })).status).toBe(403);
  });

  it("removes a comment and a post from the page, and records both removals in the audit trail", async () => {
    const postId = await ownerPost("A post with a rude comment");
    const { id } = await newShopper(app, "rude");
    const comment = await app.services.community.comment(id, postId, "Rude words here");
    expect(await (await app.client().get(communityPath)).text()).toContain("Rude words here");
    await owner.get(communityPath);
    const removed = await owner.post(`/community/comments/${comment.id}/remove`, {}, { htmx: true });
    expect(removed.status).toBe(200);
    expect(await removed.text()).toContain("0 comments");
    expect(await (await app.client().get(communityPath)).text()).not.toContain("Rude words here");
    expect(await scalar(app, "SELECT count(*) FROM community_comments WHERE id = ? AND status = 'removed'", [comment.id])).toBe(1);
    const [commentEntry] = await app.services.audit.recent(1);
    expect(commentEntry).toMatchObject({ action: "community.comment_removed", subject: `community_comment:${comment.id}`, data: { postId, authorId: id } });

    expect((await owner.post(`/community/posts/${postId}/remove`, {}, { htmx: true })).status).toBe(200);
    expect(await (await app.client().get(communityPath)).text()).not.toContain("A post with a rude comment");
    const [postEntry] = await app.services.audit.recent(1);
    expect(postEntry).toMatchObject({ action: "community.post_removed", subject: `community_post:${postId}` });
    expect((await app.services.audit.verifyChain()).intact).toBe(true);
  });
});

describe("a post removed meanwhile", () => {
  it("answers a like with the removed notice when staff removed the post while it was being liked", async () => {
    const postId = await ownerPost("Soon gone");
    const { client } = await newShopper(app, "late-liker");
    await client.get(communityPath);
    const ownerId = await userId("owner@demo.broadcart.test");
    const like = app.services.community.like;
    app.services.community.like = async (...args) => {
      const likes = await like(...args);
      await app.services.community.removePost(ownerId, postId); // staff, between the like and the answer
      return likes;
    };
    try {
      const liked = await client.post(`/community/posts/${postId}/like`, {}, { htmx: true });
      expect(liked.status).toBe(200);
      expect(await liked.text()).toContain("Removed.");
    } finally {
      app.services.community.like = like;
    }
  });
});

describe("erasure", () => {
  it("keeps an erased member's comments and counts but not their words, and forgets their likes and mutes", async () => {
    const postId = await ownerPost("Erasure keeps the thread readable");
    const member = await newShopper(app, "leaving");
    await app.services.community.comment(member.id, postId, "My words, soon gone");
    await app.services.community.like(member.id, postId);
    await app.services.community.mute(await userId("owner@demo.broadcart.test"), storeId, member.id, "test mute");
    const { id: requestId } = await app.services.erasure.request(member.id);
    const counts = await app.services.erasure.carryOut({ type: "user", id: await userId("officer@demo.broadcart.test") }, requestId);
    expect(counts.community).toBe(3);
    const bodies = (await app.database.client.execute({ sql: "SELECT body FROM community_comments WHERE author_id = ?", args: [member.id] })).rows.map((row) => row.body);
    expect(bodies).toEqual([ERASED_BODY]);
    expect(await scalar(app, "SELECT comments FROM community_posts WHERE id = ?", [postId])).toBe(1);
    expect(await likesOf(postId)).toBe(0);
    expect(await scalar(app, "SELECT count(*) FROM community_likes WHERE user_id = ?", [member.id])).toBe(0);
    expect(await scalar(app, "SELECT count(*) FROM community_mutes WHERE user_id = ?", [member.id])).toBe(0);
    expect(await (await app.client().get(communityPath)).text()).not.toContain("My words, soon gone");
  });
});
