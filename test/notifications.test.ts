import { describe, expect, it } from "vitest";
import { listNotifications, mentionedNames, NOTIFICATIONS_PAGE_SIZE, unreadCount } from "../app/models/notifications.server";
import { WAIT_MS } from "./waits";
import { count, makeUser, TEST_PASSWORD, optionIds, pollId, postAs, reopenPrediction, useFreshDatabase, useTestServer } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const rechecking = useTestServer({ STREAM_RECHECK_MS: "200" });
const T = "/t/llama-2-license";


const html = async (res: Response) => (await res.text()).replaceAll("<!-- -->", "");

describe("mentions", () => {
  it("are found where a name may stand, not in e-mail addresses or words", () => {
    expect(mentionedNames("hi @Ada and @bo_b, mail ada@example.com, x@y, @ab, (@carl-1).")).toEqual(["ada", "bo_b", "carl-1"]);
    expect(mentionedNames("`@code` @@double")).toEqual(["code"]);
  });
});

describe("notifications", () => {
  it("tell of a reply and a mention, never of your own comment or of an unknown name, and the header counts them", async () => {
    const ada = await makeUser(anon(), "ada");
    const bo = await makeUser(anon(), "bo");
    const first = await postAs(ada.id, "The AUP is the problem.");
    await postAs(ada.id, "Replying to myself, and mentioning @ada and @nobody-here.", { parentId: first });
    expect(await unreadCount(ada.id)).toBe(0);
    const reply = await postAs(bo.id, "I disagree, @ada: clause 1(v) is worse.", { parentId: first });
    // One notice for one comment: the reply, not the mention as well.
    const inbox = await listNotifications(ada.id);
    expect(inbox.items.map((n) => [n.kind, n.actor, n.commentId])).toEqual([["reply", "bo", reply]]);
    const mention = await postAs(bo.id, "What does @ADA think of Llama 3?");
    expect((await listNotifications(ada.id)).items.map((n) => [n.kind, n.commentId])).toEqual([
      ["mention", mention],
      ["reply", reply],
    ]);
    // The mention links to the profile; an unknown name stays text.
    const page = await html(await anon().get(`/c/${mention}`));
    expect(page).toMatch(/<a href="\/u\/ada"[^>]*>@ada<\/a>/);
    const selfPage = await html(await anon().get(`/c/${first + 1}`));
    expect(selfPage).toContain("@nobody-here");
    expect(selfPage).not.toContain('href="/u/nobody-here"');

    const header = await html(await ada.client.get("/"));
    expect(header).toMatch(/data-testid="unread-count">2<span class="sr-only"> unread<\/span>/);
    expect(await html(await bo.client.get("/"))).not.toContain("unread-count");
  });

  it("open onto the comment, mark one or all read, and keep to their owner", async () => {
    const ada = await makeUser(anon(), "ada");
    const bo = await makeUser(anon(), "bo");
    const root = await postAs(ada.id, "Root.");
    const r1 = await postAs(bo.id, "Reply one.", { parentId: root });
    await postAs(bo.id, "Reply two.", { parentId: root });
    await postAs(bo.id, "Hey @ada.");
    const [newest, , oldest] = (await listNotifications(ada.id)).items;
    // Someone else's notification is not found, and not marked.
    expect((await bo.client.post(`/notifications/${newest.id}`, {})).status).toBe(404);
    expect((await anon().post(`/notifications/${newest.id}`, {})).status).toBe(302);
    expect(await unreadCount(ada.id)).toBe(3);
    // A GET (a link from anywhere) follows it and marks nothing (issue 23, finding 12).
    const follow = await ada.client.get(`/notifications/${oldest.id}?also=${newest.id}`);
    expect(follow.status).toBe(302);
    expect(follow.headers.get("location")).toBe(`/c/${r1}`);
    expect(await unreadCount(ada.id)).toBe(3);
    // The inbox opens it with a POST, which marks it read.
    expect(await html(await ada.client.get("/notifications"))).toContain(`action="/notifications/${oldest.id}"`);
    const open = await ada.client.post(`/notifications/${oldest.id}`, {});
    expect(open.status).toBe(302);
    expect(open.headers.get("location")).toBe(`/c/${r1}`);
    expect(await unreadCount(ada.id)).toBe(2);
    expect((await ada.client.post("/notifications", { intent: "read", ids: String(newest.id) })).status).toBe(302);
    expect(await unreadCount(ada.id)).toBe(1);
    // Bad ids are a 400 and change nothing.
    expect((await ada.client.post("/notifications", { intent: "read", ids: "1;drop table users" })).status).toBe(400);
    expect((await ada.client.post("/notifications", { intent: "nonsense" })).status).toBe(400);
    expect(await unreadCount(ada.id)).toBe(1);
    expect((await ada.client.post("/notifications", { intent: "read-all" })).status).toBe(302);
    expect(await unreadCount(ada.id)).toBe(0);
    const list = await html(await ada.client.get("/notifications"));
    expect(list).toContain("<strong>bo</strong> mentioned you in");
    expect(list).toContain("<strong>bo</strong> replied to your comment in");
    expect(list).not.toContain("Mark all read");
  });

  it("show a comment's words in the inbox, not its markdown (issue 23, newcomer 7)", async () => {
    const ada = await makeUser(anon(), "ada");
    const bo = await makeUser(anon(), "bo");
    await postAs(bo.id, "@ada read **clause 1(v)** against the [OSD](https://opensource.org/osd).");
    const inbox = await html(await ada.client.get("/notifications"));
    expect(inbox).toMatch(/@ada read clause 1\(v\) against the OSD\./);
    expect(inbox).not.toContain("**clause");
    expect(inbox).not.toContain("](https://");
  });

  it("withdraw when the comment is removed or deleted", async () => {
    const ada = await makeUser(anon(), "ada");
    const bo = await makeUser(anon(), "bo");
    const mod = await makeUser(anon(), "moddy", "moderator");
    const root = await postAs(ada.id, "Root.");
    const rude = await postAs(bo.id, "A rude reply, @ada.", { parentId: root });
    const regretted = await postAs(bo.id, "A regretted reply.", { parentId: root });
    expect(await unreadCount(ada.id)).toBe(2);
    expect((await mod.client.post(`/c/${rude}`, { intent: "remove", reason: "rude" })).status).toBe(302);
    expect(await unreadCount(ada.id)).toBe(1);
    expect((await bo.client.post(`/c/${regretted}`, { intent: "delete" })).status).toBe(302);
    expect(await unreadCount(ada.id)).toBe(0);
    expect(await count(t.db(), "notifications")).toBe(0);
  });

  it("tell reporters how their report was handled", async () => {
    const ada = await makeUser(anon(), "ada");
    const bo = await makeUser(anon(), "bo");
    const mod = await makeUser(anon(), "moddy", "moderator");
    const kept = await postAs(bo.id, "Fine comment.");
    const gone = await postAs(bo.id, "Rude comment.");
    expect((await ada.client.post(`/c/${kept}`, { intent: "report", reason: "I do not like it" })).status).toBe(302);
    expect((await ada.client.post(`/c/${gone}`, { intent: "report", reason: "Rude" })).status).toBe(302);
    const reports = (await t.sql("select id, comment_id from reports order by id").all()) as { id: number; comment_id: number }[];
    expect((await mod.client.post("/admin/reports", { intent: "dismiss", report: String(reports[0].id) })).status).toBe(302);
    expect((await mod.client.post("/admin/reports", { intent: "remove", report: String(reports[1].id) })).status).toBe(302);
    const inbox = (await listNotifications(ada.id)).items;
    expect(inbox.map((n) => [n.kind, n.detail, n.commentId])).toEqual([
      ["report", "actioned", gone],
      ["report", "dismissed", kept],
    ]);
    const list = await html(await ada.client.get("/notifications"));
    expect(list).toContain("the comment was removed.");
    expect(list).toContain("a moderator kept the comment.");
    expect(list).not.toContain("Rude comment.");
  });

  it("tell each voter whether a resolved prediction proved them right, and a new resolution replaces the old", async () => {
    const admin = await makeUser(anon(), "boss", "admin");
    const right = await makeUser(anon(), "righty");
    const wrong = await makeUser(anon(), "wrongy");
    await reopenPrediction();
    const poll = await pollId(t.db(), "llama-3-prediction");
    const opts = await optionIds(t.db(), "llama-3-prediction");
    expect((await right.client.post(`${T}/p/llama-3-prediction`, { intent: "vote", option: String(opts[0]) })).status).toBe(302);
    expect((await wrong.client.post(`${T}/p/llama-3-prediction`, { intent: "vote", option: String(opts[1]) })).status).toBe(302);
    const res = await admin.client.post(`/admin/polls/${poll}`, { intent: "resolve", optionId: String(opts[0]), note: "Checked.", sourceUrl: "" });
    expect(res.status).toBe(302);
    expect((await listNotifications(right.id)).items.map((n) => [n.kind, n.detail])).toEqual([["resolved", "right"]]);
    expect((await listNotifications(wrong.id)).items.map((n) => [n.kind, n.detail])).toEqual([["resolved", "wrong"]]);
    expect(await html(await wrong.client.get("/notifications"))).toContain("You were wrong.");
    const open = await right.client.post(`/notifications/${(await listNotifications(right.id)).items[0].id}`, {});
    expect(open.headers.get("location")).toBe(`${T}/p/llama-3-prediction`);
    await admin.client.post(`/admin/polls/${poll}`, { intent: "resolve", optionId: String(opts[1]), note: "Corrected.", sourceUrl: "" });
    expect((await listNotifications(right.id)).items.map((n) => [n.detail, n.read])).toEqual([["wrong", false]]);
    expect((await listNotifications(wrong.id)).items.map((n) => n.detail)).toEqual(["right"]);
  });

  it("follow a topic privately; new comments fold into one line; each kind can be turned off", async () => {
    const ada = await makeUser(anon(), "ada");
    const bo = await makeUser(anon(), "bo");
    expect((await ada.client.post(`${T}?index`, { intent: "follow" })).status).toBe(302);
    expect(await html(await ada.client.get(T))).toContain("You follow this topic");
    // Nobody else sees it.
    expect(await html(await bo.client.get(T))).not.toContain("You follow this topic");
    expect(await html(await anon().get(T))).not.toContain('value="follow"');
    expect((await ada.client.post(`${T}?index`, { intent: "dance" })).status).toBe(400);
    expect((await anon().post(`${T}?index`, { intent: "follow" })).status).toBe(302);
    for (let i = 0; i < 5; i++) await postAs(bo.id, `News number ${i}.`);
    await postAs(ada.id, "My own comment tells me nothing.");
    const inbox = (await listNotifications(ada.id)).items;
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ kind: "follow", count: 5 });
    expect(await html(await ada.client.get("/notifications"))).toContain("5 new comments in");
    // Turn follows and replies off in /settings.
    const off = await ada.client.post("/settings", { intent: "notifications", kinds: ["mention", "resolved", "report"] });
    expect(off.status).toBe(302);
    const root = await postAs(ada.id, "Root.");
    await postAs(bo.id, "A reply nobody announces.", { parentId: root });
    await postAs(bo.id, "But @ada hears of this.");
    expect((await listNotifications(ada.id)).items.map((n) => n.kind)).toEqual(["mention", "follow"]);
    const settings = await html(await ada.client.get("/settings"));
    expect(settings).toMatch(/<input[^>]*name="kinds"[^>]*checked=""[^>]*value="mention"/);
    expect(settings).toMatch(/<input type="checkbox" name="kinds" value="follow"\/>/);
    // An unknown kind is a 400 and changes nothing.
    expect((await ada.client.post("/settings", { intent: "notifications", kinds: ["reply", "spam"] })).status).toBe(400);
    expect(await html(await ada.client.get("/settings"))).toMatch(/<input type="checkbox" name="kinds" value="reply"\/>/);
    expect((await ada.client.post(`${T}?index`, { intent: "unfollow" })).status).toBe(302);
    await postAs(bo.id, "After unfollowing.");
    expect((await listNotifications(ada.id)).items).toHaveLength(2);
  });

  it("come in pages", async () => {
    const ada = await makeUser(anon(), "ada");
    const bo = await makeUser(anon(), "bo");
    const root = await postAs(ada.id, "Root.");
    for (let i = 0; i < NOTIFICATIONS_PAGE_SIZE + 3; i++) await postAs(bo.id, `Reply ${i}.`, { parentId: root });
    const one = await listNotifications(ada.id);
    expect(one.items).toHaveLength(NOTIFICATIONS_PAGE_SIZE);
    expect(one.nextBefore).not.toBeNull();
    const page = await html(await ada.client.get("/notifications"));
    expect(page).toContain(`href="/notifications?before=${one.nextBefore}"`);
    const two = await listNotifications(ada.id, one.nextBefore);
    expect(two.items).toHaveLength(3);
    expect(two.nextBefore).toBeNull();
    expect((await ada.client.get("/notifications?before=abc")).status).toBe(400);
  });

  it("update the count live over the stream, at most once a second", async () => {
    const ada = await makeUser(anon(), "ada");
    const bo = await makeUser(anon(), "bo");
    expect((await anon().get("/notifications/stream")).status).toBe(401);
    const ctrl = new AbortController();
    const res = await ada.client.get("/notifications/stream", { signal: ctrl.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const seen: string[] = [];
    let buffer = "";
    const until = async (want: string) => {
      while (!seen.includes(want)) {
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffer += new TextDecoder().decode(value);
        for (const m of buffer.matchAll(/event: unread\ndata: (\d+)\n\n/g)) if (!seen.includes(m[1])) seen.push(m[1]);
      }
    };
    await until("0");
    const root = await postAs(ada.id, "Root.");
    const started = Date.now();
    await postAs(bo.id, "One.", { parentId: root });
    await postAs(bo.id, "Two.", { parentId: root });
    await until("2");
    // Two replies close together arrive as one update (or two a second apart), never as "1" then "2" at once.
    if (seen.includes("1")) expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    ctrl.abort();
  });

  it("cap mentions: five people told per comment, three notices an hour from one sender to one person, and anyone can mute a sender (issue 23, finding 13)", async () => {
    const bo = await makeUser(anon(), "bo");
    const people = [];
    for (let i = 0; i < 8; i++) people.push(await makeUser(anon(), `named_${i}`));
    await postAs(bo.id, `Hello ${people.map((_, i) => `@named_${i}`).join(" ")}.`);
    const told = [];
    for (const p of people) told.push(await unreadCount(p.id));
    expect(told).toEqual([1, 1, 1, 1, 1, 0, 0, 0]);
    // The same sender, the same person, over and over: three an hour.
    for (let i = 0; i < 5; i++) await postAs(bo.id, `Again @named_7, number ${i}.`);
    expect(await unreadCount(people[7].id)).toBe(3);

    // Ada mutes Bo from his profile: his replies, mentions and comments in a topic she follows reach her no more.
    const ada = await makeUser(anon(), "ada");
    const profile = await html(await ada.client.get("/u/bo"));
    expect(profile).toContain("Mute bo");
    expect(await html(await anon().get("/u/bo"))).not.toContain("Mute bo");
    expect((await ada.client.post("/u/bo", { intent: "mute" })).status).toBe(302);
    expect((await ada.client.post("/u/bo", { intent: "shout" })).status).toBe(400);
    expect((await ada.client.post("/u/nobody_at_all", { intent: "mute" })).status).toBe(404);
    const self = await ada.client.post("/u/ada", { intent: "mute" });
    expect(self.status).toBe(400);
    expect(await html(self)).toContain("You cannot mute yourself.");
    expect(await html(await ada.client.get("/u/bo"))).toContain("Unmute bo");
    expect((await ada.client.post(`${T}?index`, { intent: "follow" })).status).toBe(302);
    const root = await postAs(ada.id, "Root.");
    await postAs(bo.id, "A reply.", { parentId: root });
    await postAs(bo.id, "Hey @ada.");
    expect(await unreadCount(ada.id)).toBe(0);
    // Someone else still gets through; Ada unmutes Bo from her settings and hears him again.
    const cy = await makeUser(anon(), "cy");
    await postAs(cy.id, "Hi @ada.");
    expect(await unreadCount(ada.id)).toBe(1);
    expect(await html(await ada.client.get("/settings"))).toMatch(/Muted people[\s\S]*href="\/u\/bo"/);
    expect((await ada.client.post("/settings", { intent: "unmute", username: "bo" })).status).toBe(302);
    await postAs(bo.id, "Hey again @ada.");
    expect(await unreadCount(ada.id)).toBe(2);
  });

  it("end once their session does: signing out everywhere, a password change, a ban (issue 23, finding 7)", async () => {
    const admin = await makeUser(rechecking(), "stream_admin", "admin");
    const ends: [string, (who: Awaited<ReturnType<typeof makeUser>>) => Promise<unknown>][] = [
      ["sign out everywhere", (who) => who.client.post("/settings", { intent: "signout-everywhere" })],
      ["password change", (who) => who.client.post("/settings", { intent: "password", current: TEST_PASSWORD, password: "a different long passphrase" })],
      ["ban", (who) => admin.client.post("/admin/users", { intent: "ban", user: who.id, reason: "spam" })],
    ];
    for (const [i, [what, end]] of ends.entries()) {
      const who = await makeUser(rechecking(), `streamer_${i}`);
      const res = await who.client.get("/notifications/stream");
      const reader = res.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain("event: unread");
      await end(who);
      // The stream closes by itself: reads run to `done` (pings aside) well within the wait.
      const closed = (async () => {
        for (;;) if ((await reader.read()).done) return true;
      })();
      expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r(false), WAIT_MS))]), what).toBe(true);
    }
  });
});
