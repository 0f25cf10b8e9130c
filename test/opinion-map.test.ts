import { describe, expect, it } from "vitest";
import { castVote, type VoteInput } from "../app/models/ballots.server";
import { adjustedRandIndex, seededRandom } from "../app/lib/opinion-clusters";
import { computeOpinionMap, MIN_GROUP, refreshDueOpinionMaps, refreshOpinionMap, snapshotDue, type MapData } from "../app/models/opinion-map.server";
import { makeUser, optionIds, pollId, reopenPrediction, useFreshDatabase, useTestServer } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";

/** Three camps with distinct answers to four public questions, plus `stray` people who answered only one. */
async function community(perGroup: number, small = 0) {
  const opinion = await optionIds(t.db(), "license-opinion");
  const implications = await optionIds(t.db(), "implications");
  const ids = { opinion: await pollId(t.db(), "license-opinion"), implications: await pollId(t.db(), "implications"), misleading: await pollId(t.db(), "statement-misleading"), clause: await pollId(t.db(), "statement-clause-1v") };
  const camps = [
    { opinion: opinion[0], implications: [implications[0], implications[1]], misleading: 5, clause: 5 },
    { opinion: opinion[2], implications: [implications[3]], misleading: 1, clause: 2 },
    { opinion: opinion[1], implications: [implications[2], implications[4]], misleading: 3, clause: 1 },
  ];
  const users: { id: string; client: Awaited<ReturnType<typeof makeUser>>["client"]; camp: number }[] = [];
  let n = 0;
  const vote = async (uid: string, c: (typeof camps)[number]) => {
    const ballots: [number, VoteInput][] = [
      [ids.opinion, { optionIds: [c.opinion] }],
      [ids.implications, { optionIds: c.implications }],
      [ids.misleading, { scaleValue: c.misleading }],
      [ids.clause, { scaleValue: c.clause }],
    ];
    for (const [poll, input] of ballots) {
      const r = await castVote(uid, poll, input);
      if (!r.ok) throw new Error(r.message);
    }
  };
  for (let camp = 0; camp < 3; camp++) {
    for (let i = 0; i < (camp === 2 && small ? small : perGroup); i++) {
      const u = await makeUser(anon(), `camp${camp}_${n++}`);
      await vote(u.id, camps[camp]);
      users.push({ ...u, camp });
    }
  }
  // Someone who answered one question only is not on the map.
  const once = await makeUser(anon(), "only_once");
  await castVote(once.id, ids.opinion, { optionIds: [opinion[0]] });
  return users;
}

async function mapJson(): Promise<MapData> {
  const res = await anon().get(`${T}/map.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as MapData;
}

describe("the opinion map", () => {
  it("finds the camps, what sets each apart and what they share; shows it on the page and as JSON", async () => {
    const users = await community(12);
    // Everyone agrees on one thing: the clause 1(v) question is not a consensus, but "open source" camps differ... add a shared answer:
    const shared = await pollId(t.db(), "future-osi-prediction");
    const osi = await optionIds(t.db(), "future-osi-prediction");
    for (const u of users) expect((await castVote(u.id, shared, { optionIds: [osi[0]] })).ok).toBe(true);
    expect((await anon().get(`${T}/map.json`)).status).toBe(404);
    expect(await refreshOpinionMap(1)).toBe(true);
    const map = await mapJson();
    expect(map.version).toBe(1);
    expect(map.people).toBe(36);
    expect(map.groups.map((g) => g.size).sort()).toEqual([12, 12, 12]);
    expect(map.method).toMatchObject({ reduction: "pca", clustering: "k-means", k: 3, minGroup: MIN_GROUP });
    expect(map.method.libraries["ml-pca"]).toMatch(/^\d+\.\d+\.\d+$/);
    for (const g of map.groups) {
      expect(g.distinct.length).toBeGreaterThan(0);
      for (const d of g.distinct) expect(Math.abs(d.difference)).toBeGreaterThanOrEqual(0.15);
    }
    expect(map.consensus.map((c) => c.pollSlug)).toContain("future-osi-prediction");
    expect(map.cells.reduce((s, c) => s + c[3], 0)).toBe(36);
    // The prediction polls' results are public ("always"), so they count; a hidden poll would not (below).

    const page = (await (await anon().get(`${T}/map`)).text()).replaceAll("<!-- -->", "");
    expect(page).toContain("They fall into 3 groups.");
    expect(page).toContain("Group A: 12 people");
    expect(page).toContain("What every group shares");
    expect(page).toContain("not a sample of anyone else");
    // The results page links to it.
    expect(await (await anon().get(`${T}/results`)).text()).toContain(`href="${T}/map"`);

    // Privacy: no identity anywhere public; each person sees only their own place.
    const json = JSON.stringify(map);
    for (const u of users.slice(0, 5)) {
      expect(json).not.toContain(u.id);
      expect(page).not.toContain(u.id);
    }
    expect(json).not.toMatch(/camp\d_/);
    expect(page).not.toMatch(/camp\d_/);
    const mine = (await (await users[0].client.get(`${T}/map`)).text()).replaceAll("<!-- -->", "");
    expect(mine).toMatch(/You are in group [A-C]/);
    expect(mine).toContain('class="you-ring"');
    expect(page).not.toContain("you-ring");
  });

  it("recovers three planted groups of 50 with noise from the database: adjusted Rand index at least 0.9", async () => {
    await reopenPrediction();
    const polls = await Promise.all(["license-opinion", "implications", "statement-misleading", "statement-clause-1v", "llama-3-prediction"].map((slug) => pollId(t.db(), slug)));
    const opts = await Promise.all(["license-opinion", "implications", "statement-misleading", "statement-clause-1v", "llama-3-prediction"].map((slug) => optionIds(t.db(), slug)));
    // Favoured option position per poll and group (scales: the value's option).
    const plan = [
      [0, 0, 4, 4, 0],
      [2, 3, 0, 1, 1],
      [1, 2, 2, 0, 2],
    ];
    const rand = seededRandom(11);
    const truth = new Map<string, number>();
    for (let g = 0; g < 3; g++) {
      for (let i = 0; i < 50; i++) {
        const u = await makeUser(anon(), `planted${g}_${i}`);
        truth.set(u.id, g);
        for (let p = 0; p < polls.length; p++) {
          const scale = p === 2 || p === 3;
          const choices = scale ? 5 : opts[p].length - (p === 1 ? 1 : 0);
          const pick = rand() < 0.15 ? Math.floor(rand() * choices) : plan[g][p];
          const r = await castVote(u.id, polls[p], scale ? { scaleValue: pick + 1 } : { optionIds: [opts[p][pick]] });
          if (!r.ok) throw new Error(r.message);
        }
      }
    }
    const map = await computeOpinionMap(1);
    if (!map) throw new Error("no map");
    const ids = [...truth.keys()];
    expect(map.data.groups).toHaveLength(3);
    expect(adjustedRandIndex(ids.map((id) => truth.get(id)!), ids.map((id) => map.members[id][2]))).toBeGreaterThanOrEqual(0.9);
  });

  it("never shows a group under 10, and leaves hidden polls out", async () => {
    await community(12, 4);
    await t.sql("update polls set visibility = 'after_vote' where slug = 'statement-clause-1v'").run();
    expect(await refreshOpinionMap(1)).toBe(true);
    const map = await mapJson();
    for (const g of map.groups) expect(g.size).toBeGreaterThanOrEqual(MIN_GROUP);
    expect(map.others + map.hidden).toBe(4);
    expect(map.hidden).toBe(4);
    expect(map.polls.map((p) => p.slug)).not.toContain("statement-clause-1v");
    expect(map.groups.flatMap((g) => g.distinct.map((d) => d.pollSlug))).not.toContain("statement-clause-1v");
  });

  it("publishes no figure about fewer than 10 people: twenty alike and one apart say nothing of the one (issue 23)", async () => {
    const opinion = await optionIds(t.db(), "license-opinion");
    const ids = { opinion: await pollId(t.db(), "license-opinion"), misleading: await pollId(t.db(), "statement-misleading"), clause: await pollId(t.db(), "statement-clause-1v") };
    const answer = async (uid: string, o: number, misleading: number, clause: number) => {
      for (const [poll, input] of [[ids.opinion, { optionIds: [o] }], [ids.misleading, { scaleValue: misleading }], [ids.clause, { scaleValue: clause }]] as [number, VoteInput][]) {
        const r = await castVote(uid, poll, input);
        if (!r.ok) throw new Error(r.message);
      }
    };
    for (let i = 0; i < 20; i++) await answer((await makeUser(anon(), `alike_${i}`)).id, opinion[2], 5, 5);
    await answer((await makeUser(anon(), "apart")).id, opinion[0], 1, 1);
    expect(await refreshOpinionMap(1)).toBe(true);
    const map = await mapJson();
    expect(map.people).toBe(21);
    const counts: number[] = [];
    JSON.stringify(map, (k, v) => ((k === "n" || k === "size") && typeof v === "number" ? (counts.push(v), v) : v));
    for (const n of counts) expect(n).toBeGreaterThanOrEqual(MIN_GROUP);
    for (const g of map.groups) expect(g.distinct.every((d) => d.rest.n >= MIN_GROUP)).toBe(true);
    expect(map.cells.reduce((s, c) => s + c[3], 0)).toBe(map.groups.reduce((s, g) => s + g.size, 0) + map.others);
  });

  it("is reproducible from the same ballots", async () => {
    await community(12);
    await refreshOpinionMap(1, 1_800_000_000_000);
    const first = await mapJson();
    await refreshOpinionMap(1, 1_800_000_000_000);
    expect(await mapJson()).toEqual(first);
    // Another draw moves the points (jitter), never the groups.
    await refreshOpinionMap(1, 1_800_000_060_000);
    const second = await mapJson();
    expect(second.groups).toEqual(first.groups);
  });

  it("is recomputed in the background when 5% more ballots arrive, or hourly with any change", async () => {
    expect(snapshotDue(undefined, 0, 0)).toBe(false);
    expect(snapshotDue(undefined, 3, 0)).toBe(true);
    expect(snapshotDue({ computedAt: 0, ballotCount: 100 }, 104, 1000)).toBe(false);
    expect(snapshotDue({ computedAt: 0, ballotCount: 100 }, 105, 1000)).toBe(true);
    expect(snapshotDue({ computedAt: 0, ballotCount: 100 }, 101, 3600_000)).toBe(true);
    expect(snapshotDue({ computedAt: 0, ballotCount: 100 }, 100, 9e9)).toBe(false);
    await community(11);
    expect(await refreshDueOpinionMaps()).toBe(1);
    expect(await refreshDueOpinionMaps()).toBe(0);
    expect((await mapJson()).people).toBe(33);
  });
});
