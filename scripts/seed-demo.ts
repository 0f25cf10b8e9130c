// Demo users and activity for local development. Never runs by default:
//   npm run db:seed:demo
// Adds eight demo users (password "demo passphrase") who answer every
// question of the LLAMA-2 topic and leave a few comments. Running it again
// skips users that exist.
import { config } from "../app/config.server";
import { castVote } from "../app/models/ballots.server";
import { postComment } from "../app/models/comments.server";
import { getPollsOfTopic } from "../app/models/polls.server";
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
  console.log(`Demo users share the password "${DEMO_PASSWORD}".`);
  await closeDatabase();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
