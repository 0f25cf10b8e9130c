import { describe, expect, it } from "vitest";
import { castVote } from "../app/models/ballots.server";
import { refreshOpinionMap } from "../app/models/opinion-map.server";
import { integratePending } from "../app/models/tlog.server";
import { verifyTopic } from "../scripts/results-verify";
import { allCounts, Client, expectConsistent, makeUser, optionIds, pollId, rawSql, useFreshDatabase, useTestServer } from "./helpers";

// Issue 28 (B): ranked-choice polls, counted by instant runoff. Ballots are
// planted through the public form (as guests: the seeded ranked poll takes
// them), and the rounds are compared with a count made by hand.

const t = useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";
const P = `${T}/p/open-license-change`;

type Round = { round: number; counts: { optionId: number; label: string; votes: number }[]; counted: number; exhausted: number; majority: number | null; eliminated: number[]; transfers: { to: number | null; votes: number }[] };
type Poll = { slug: string; kind: string; voters: number; options: { id: number; count: number }[]; runoff: { ballots: number; winner: number | null; tied: number[] | null; rounds: Round[] } | null };
const poll = async (c: Client) =>
  ((await (await c.get(`${T}/results.json`, { headers: { "Cache-Control": "no-cache" } })).json()) as { polls: Poll[] }).polls.find((p) => p.slug === "open-license-change")!;

/** A plain form post of a ranking (option ids, first choice first), as a new guest each time unless `as` is given. */
const rank = (ids: number[], as: Client = anon().fork()) => as.post(P, { intent: "vote", rank: ids.map((id, i) => `${id}:${i + 1}`) });

describe("ranked-choice polls", () => {
  it("plants ballots and gets the hand count's rounds, transfers and winner, in JSON, CSV, the page and the re-count", async () => {
    const [a, b, c, d, e] = await optionIds(t.db(), "open-license-change");
    // By hand: round 1 A 6, B 5, C 3, D 1 of 15 (no majority: 12 is not over 15); D out, its ballot to B.
    // Round 2: A 6, B 6, C 3; C out, its 3 ballots to B. Round 3: A 6, B 9 of 15: B wins. E is ranked by nobody.
    const planted = [...Array(6).fill([a, c]), ...Array(5).fill([b, c]), ...Array(3).fill([c, b]), [d, b]] as number[][];
    for (const ballot of planted) expect((await rank(ballot)).status).toBe(302);

    const p = await poll(anon());
    expect(p.kind).toBe("ranked");
    expect(p.voters).toBe(15);
    // The counters are first choices: the runoff's first round.
    expect(p.options.map((o) => o.count)).toEqual([6, 5, 3, 1, 0]);
    const r = p.runoff!;
    expect(r.rounds.map((x) => x.counts.map((k) => [k.optionId, k.votes]))).toEqual([
      [[a, 6], [b, 5], [c, 3], [d, 1]],
      [[a, 6], [b, 6], [c, 3]],
      [[a, 6], [b, 9]],
    ]);
    expect(r.rounds.map((x) => x.eliminated)).toEqual([[d], [c], []]);
    expect(r.rounds.map((x) => x.transfers)).toEqual([[{ to: b, votes: 1 }], [{ to: b, votes: 3 }], []]);
    expect(r.rounds[2]).toMatchObject({ counted: 15, majority: b });
    expect(r).toMatchObject({ ballots: 15, winner: b, tied: null });
    expect(r.rounds[0].counts.some((k) => k.optionId === e)).toBe(false);

    const csv = (await (await anon().get(`${T}/results.csv`)).text()).trim().split("\r\n");
    const rounds = csv.filter((l) => l.includes("open-license-change") && /,\d+,15$/.test(l));
    expect(rounds).toHaveLength(4 + 3 + 2);
    expect(rounds.find((l) => l.includes("over 700 million") && l.endsWith(",3,15"))).toContain("wins");
    expect(rounds.find((l) => l.includes("OSI-approved"))).toBeUndefined();
    expect(rounds.find((l) => l.includes("naming") || l.includes("Llama name"))).toMatch(/out; passed on: 1 to Drop the clause on services/);

    const page = (await (await anon().get(`${T}/results`)).text()).replaceAll("<!-- -->", "");
    expect(page).toContain("The count, round by round");
    expect(page).toMatch(/<strong>Drop the clause on services with over 700 million monthly users<\/strong> wins in round 3, with 9 of the 15 ballots still counting/);
    expect(page).toContain("3 ballots passed on (3 to Drop the clause on services with over 700 million monthly users)");

    await integratePending("localhost");
    const report = await verifyTopic(anon().base, "llama-2-license");
    expect(report.lines.join("\n")).not.toMatch(/runoff/);
    expect(report.ok).toBe(true);
  });

  it("a voter reorders and trims a ranking: one ballot, first choices moved, the log's entry in rank order", async () => {
    const [a, b, c] = await optionIds(t.db(), "open-license-change");
    const { client } = await makeUser(anon(), "ranker");
    expect((await rank([a, b, c], client)).status).toBe(302);
    let page = (await (await client.get(P)).text()).replaceAll("<!-- -->", "");
    expect(page).toMatch(/You answered: <strong>1\. Drop clause 1\(v\)[^<]*; 2\. Drop the clause on services[^<]*; 3\. Drop the Acceptable Use Policy/);
    // Without JavaScript the form is a select of places per option, showing the stored ranking.
    expect(page).toContain(`<option value="${a}:1" selected="">1</option>`);
    expect(page).toContain(`<option value="${c}:3" selected="">3</option>`);

    expect((await rank([c, a], client)).status).toBe(302);
    expect((await poll(anon())).options.slice(0, 3).map((o) => o.count)).toEqual([0, 0, 1]);
    page = (await (await client.get(P)).text()).replaceAll("<!-- -->", "");
    expect(page).toMatch(/You answered: <strong>1\. Drop the Acceptable Use Policy[^<]*; 2\. Drop clause 1\(v\)/);
    const receipt = (await (await client.get(`${P}/receipt`)).json()) as { entry: string };
    expect(receipt.entry).toMatch(new RegExp(` 2 change ${c} ${a}$`));
    // The same order again is no change.
    const again = await client.post(`${P}?_data=routes%2Ft.%24topic.p.%24poll`, { intent: "vote", rank: [`${c}:1`, `${a}:2`], via: "fetcher" });
    expect(await again.json()).toMatchObject({ ok: true });
    await expectConsistent(t.db(), expect);
    expect((await poll(anon())).runoff).toMatchObject({ ballots: 1, winner: c });
  });

  it("refuses a bad ranking with a field message and writes nothing", async () => {
    const [a, b] = await optionIds(t.db(), "open-license-change");
    const [other] = await optionIds(t.db(), "license-opinion");
    const before = await allCounts(t.db());
    const cases: [Record<string, string | string[]>, string][] = [
      [{ rank: [`${a}:1`, `${b}:1`] }, "Give each place to one option only."],
      [{ rank: [`${a}:1`, `${a}:2`] }, "Give each option one place at most."],
      [{ rank: ["", ""] }, "Rank at least one option."],
      [{}, "Rank at least one option."],
      [{ rank: `${other}:1` }, "does not belong to this question"],
      [{ rank: "1; drop table" }, "Pick a place from the list"],
      [{ rank: `${a}:0` }, "Pick a place from the list"],
    ];
    for (const [fields, message] of cases) {
      const res = await anon().fork().post(P, { intent: "vote", ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect((await res.text()).replaceAll("&quot;", '"')).toContain(message);
    }
    expect(await allCounts(t.db())).toEqual(before);
  });

  it("shows first choices per opinion group, only for groups of ten ballots or more", async () => {
    const [a, b] = await optionIds(t.db(), "open-license-change");
    const opinion = await optionIds(t.db(), "license-opinion");
    const opinionPoll = await pollId(t.db(), "license-opinion");
    const scale = await pollId(t.db(), "statement-misleading");
    const ranked = await pollId(t.db(), "open-license-change");
    // Two camps of ten apart on two questions; camp one ranks A first, camp two B; nine more rank without a group of ten.
    for (let i = 0; i < 20; i++) {
      const camp = i < 10 ? 0 : 1;
      const { id } = await makeUser(anon(), `camp${i}`);
      await castVote(id, opinionPoll, { optionIds: [opinion[camp ? 2 : 0]] });
      await castVote(id, scale, { scaleValue: camp ? 5 : 1 });
      expect((await castVote(id, ranked, { ranks: [{ optionId: camp ? b : a, rank: 1 }, { optionId: camp ? a : b, rank: 2 }] })).ok).toBe(true);
    }
    expect(await refreshOpinionMap(Number((await rawSql("select id from topics where slug = 'llama-2-license'").get()).id))).toBe(true);
    const r = (await poll(anon())).runoff! as unknown as { firstByGroup: { group: string; ballots: number; counts: { optionId: number; votes: number }[] }[] };
    expect(r.firstByGroup).toHaveLength(2);
    const firsts = r.firstByGroup.map((g) => ({ ballots: g.ballots, a: g.counts.find((c) => c.optionId === a)!.votes, b: g.counts.find((c) => c.optionId === b)!.votes }));
    expect(firsts.sort((x, y) => x.a - y.a)).toEqual([{ ballots: 10, a: 0, b: 10 }, { ballots: 10, a: 10, b: 0 }]);
    expect((await (await anon().get(`${T}/results`)).text()).replaceAll("<!-- -->", "")).toContain("First choices by opinion group");
  });

  it("an admin makes a ranked poll with a limit on places; a longer ranking is refused", async () => {
    const { client: admin } = await makeUser(anon(), "rankadmin", "admin");
    const form = { intent: "save", question: "Rank three?", slug: "rank-three", kind: "ranked", options: ["One", "Two", "Three"], optionIds: ["new", "new", "new"], minChoices: "1", maxChoices: "2", visibility: "always", descriptionMd: "", scaleMinLabel: "", scaleMaxLabel: "" };
    const made = await admin.post("/admin/polls/new?topic=llama-2-license", form);
    expect(made.status).toBe(302);
    const tooMany = await admin.post("/admin/polls/new?topic=llama-2-license", { ...form, slug: "rank-four", maxChoices: "4" });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toContain("The maximum cannot be above the number of options.");
    const [x, y, z] = await optionIds(t.db(), "rank-three");
    const url = `${T}/p/rank-three`;
    const three = await admin.post(url, { intent: "vote", rank: [`${x}:1`, `${y}:2`, `${z}:3`] });
    expect(three.status).toBe(400);
    expect(await three.text()).toContain("Rank at most 2 options.");
    expect((await admin.post(url, { intent: "vote", rank: [`${z}:1`, `${x}:2`] })).status).toBe(302);
    const page = await (await admin.get(url)).text();
    expect(page).toContain("Rank up to 2, your first preference first.");
  });
});
