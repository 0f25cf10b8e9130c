// Demo users and activity for local development. Never runs by default:
//   npm run db:seed:demo
// Adds eight demo users (password "demo passphrase") who answer the
// LLAMA-2 topic's open questions and leave a few comments, and 60 voters in
// three camps of coherent views (scripts/demo-camps.ts, with some noise), so
// the opinion map has real structure; then draws the map. Running it again
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
import { CAMPS, type Camp } from "./demo-camps";

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
    // Each named user holds one camp's views, so their comments and answers agree.
    await answerAsCamp(res.userId, polls, CAMPS[i % CAMPS.length], seededRandom(100 + i));
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

type Polls = Awaited<ReturnType<typeof getPollsOfTopic>>;

/** One voter's answers to every open poll the camp has a view on; one answer in seven strays. */
async function answerAsCamp(userId: string, polls: Polls, camp: Camp, rand: () => number) {
  for (const poll of polls) {
    const want = camp.answers[poll.slug];
    if (want === undefined) continue;
    const stray = rand() < 0.15;
    const choices = poll.options.filter((o) => !o.exclusive);
    let input;
    if (poll.kind === "scale") input = { scaleValue: stray ? 1 + Math.floor(rand() * 5) : (want as number) };
    else if (stray) input = { optionIds: [choices[Math.floor(rand() * choices.length)].id] };
    else {
      const ids = (want as string[]).map((label) => poll.options.find((o) => o.label === label)?.id);
      if (ids.some((id) => id === undefined)) throw new Error(`camp ${camp.name}: ${poll.slug} has no option ${JSON.stringify(want)}`);
      input = { optionIds: ids as number[] };
    }
    // A closed or resolved poll refuses; the demo answers what is open.
    await castVote(userId, poll.id, input);
  }
}

async function camps(polls: Polls) {
  const rand = seededRandom(2023);
  for (const camp of CAMPS) {
    let made = 0;
    for (let i = 0; i < camp.size; i++) {
      const res = await createUser(`demo_${camp.name}_${i + 1}`, DEMO_PASSWORD);
      if (!res.ok) continue;
      made++;
      await answerAsCamp(res.userId, polls, camp, rand);
    }
    console.log(`camp ${camp.name}: ${made} voters created`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
