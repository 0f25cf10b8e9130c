// Demo users and activity for local development. Never runs by default:
//   npm run db:seed:demo
// Adds eight demo users (password "demo passphrase") who answer every
// question of the LLAMA-2 topic and leave a few comments, and 60 voters in
// three camps (with some noise, and one answer nearly all share), so the
// opinion map has real structure; then draws the map. Running it again
// skips users that exist.
import { config } from "../app/config.server";
import { castVote } from "../app/models/ballots.server";
import { postComment } from "../app/models/comments.server";
import { refreshOpinionMap } from "../app/models/opinion-map.server";
import { getPollsOfTopic } from "../app/models/polls.server";
import { seededRandom } from "../app/lib/opinion-clusters";
import { getTopicBySlug } from "../app/models/topics.server";
import { createUser } from "../app/models/users.server";
import { closeDatabase, setDatabase } from "../db/client";
import { migrateOpenDatabase } from "../db/migrate";
import { LLAMA_TOPIC, seed } from "../db/seed";

const DEMO_PASSWORD = "demo passphrase";
const NAMES = ["demo_ada", "demo_grace", "demo_linus", "demo_margaret", "demo_ken", "demo_barbara", "demo_dennis", "demo_frances"];
const COMMENTS = [
  "The commercial threshold barely matters to me, but the use policy does: it can change after you adopt the model.",
  "Clause 1(v) is the real problem. Using a model as a judge in an eval pipeline should not be a licensing question.",
  "Open weights are still valuable even if the license is not open source. Both things can be true.",
  "I expect Meta to loosen it over time; they want people to build on Llama, not on its competitors.",
];

async function main() {
  setDatabase(config().DATABASE_URL ?? config().DATABASE_PATH);
  await migrateOpenDatabase(async () => {
    await seed();
  });
  const topic = await getTopicBySlug(LLAMA_TOPIC.slug);
  if (!topic) throw new Error("seed topic missing");
  const polls = await getPollsOfTopic(topic.id);
  let clock = Date.now() - NAMES.length * 60_000;
  for (const [i, name] of NAMES.entries()) {
    const res = await createUser(name, DEMO_PASSWORD);
    if (!res.ok) {
      console.log(`${name}: exists, skipped`);
      continue;
    }
    for (const poll of polls) {
      const n = poll.options.length;
      // A lopsided, made-up spread, so the demo charts have some shape.
      const pick = [2, 2, 1, 2, 3, 1, 2, 0][i] % n;
      const input =
        poll.kind === "scale" ? { scaleValue: (pick % 5) + 1 } : { optionIds: poll.kind === "multiple" ? [poll.options[pick].id, poll.options[(pick + 2) % n].id] : [poll.options[pick].id] };
      await castVote(res.userId, poll.id, input);
    }
    if (i < COMMENTS.length) {
      await postComment({ userId: res.userId, topicId: topic.id, pollId: i % 2 ? polls[0].id : null, parentId: null, body: COMMENTS[i], stanceOptionId: null }, (clock += 60_000));
    }
    console.log(`created ${name}`);
  }
  await camps(polls);
  await refreshOpinionMap(topic.id);
  console.log(`Demo users share the password "${DEMO_PASSWORD}". The opinion map is at /t/${topic.slug}/map.`);
  await closeDatabase();
}

/**
 * Three camps of demo voters, by option position per question: "closed"
 * (not open source, 1(v) matters most), "pragmatic" (open enough) and
 * "undecided"; most of them expect the same for the OSI question.
 */
const CAMPS: { name: string; size: number; picks: Record<string, number[] | number> }[] = [
  { name: "closed", size: 24, picks: { "license-opinion": [0], implications: [0, 1], "statement-misleading": 5, "statement-clause-1v": 5, "future-osi-prediction": [0] } },
  { name: "pragmatic", size: 20, picks: { "license-opinion": [2], implications: [3], "statement-misleading": 1, "statement-clause-1v": 2, "future-osi-prediction": [0] } },
  { name: "undecided", size: 16, picks: { "license-opinion": [1], implications: [2, 4], "statement-misleading": 3, "statement-clause-1v": 3, "future-osi-prediction": [0] } },
];

async function camps(polls: Awaited<ReturnType<typeof getPollsOfTopic>>) {
  const rand = seededRandom(2023);
  for (const camp of CAMPS) {
    let made = 0;
    for (let i = 0; i < camp.size; i++) {
      const res = await createUser(`demo_${camp.name}_${i + 1}`, DEMO_PASSWORD);
      if (!res.ok) continue;
      made++;
      for (const poll of polls) {
        const want = camp.picks[poll.slug];
        if (want === undefined) continue;
        // One answer in seven goes elsewhere: camps are tendencies, not uniforms.
        const stray = rand() < 0.15;
        const choices = poll.options.filter((o) => !o.exclusive);
        const input =
          poll.kind === "scale"
            ? { scaleValue: stray ? 1 + Math.floor(rand() * 5) : (want as number) }
            : { optionIds: stray ? [choices[Math.floor(rand() * choices.length)].id] : (want as number[]).map((k) => poll.options[k].id) };
        await castVote(res.userId, poll.id, input);
      }
    }
    console.log(`camp ${camp.name}: ${made} voters created`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
