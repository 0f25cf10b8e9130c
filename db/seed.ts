import { createPoll, getPoll, pollForm, type PollInput } from "../app/models/polls.server";
import { createTopic, getTopicBySlug } from "../app/models/topics.server";

// The first topic. The summary is our own paraphrase of the post; it links the
// sources instead of quoting them.
export const LLAMA_TOPIC = {
  slug: "llama-2-license",
  title: "Is Meta's LLAMA-2 license open source?",
  sourceUrl: "https://opensource.org/blog/metas-llama-2-license-is-not-open-source",
  summaryMd: `A public post by an LLM practitioner argues that LLAMA-2 should not be called open source, even though Meta publishes its weights and describes the models that way. This is our summary of the argument; the post gives no legal advice and neither do we.

**Why it fails the Open Source Definition.** Open source means a license that meets the [Open Source Definition](https://opensource.org/osd). Two of its points forbid discriminating against people or groups (point 5) and against fields of endeavor (point 6). The [LLAMA-2 license](https://github.com/meta-llama/llama/blob/main/LICENSE) does both, the [Open Source Initiative says](https://opensource.org/blog/metas-llama-2-license-is-not-open-source):

- section 2 limits commercial use: companies above a very large user count (700 million monthly active users) need a separate license from Meta;
- an Acceptable Use Policy rules out whole categories of use.

**The clause that matters to engineers.** Clause 1(v) forbids using the model, or anything it outputs, to improve any other large language model (LLAMA-2 and its derivatives excepted). Read plainly, that gets in the way of common workflows that pair models together:

- using LLAMA-2 as an AI judge in benchmarks and evaluation pipelines;
- reinforcement learning from AI feedback (RLAIF);
- generating synthetic training data;
- distilling it into smaller models.

**Wider consequences, as the author sees them.** Restrictions like these hold back broad access to LLM applications; custom "open" licenses blur what open source means and leave people unsure what they may do; if pretrained models can hardly be reused, the energy spent pretraining many models on much the same web text is wasted; and little is known about how the models were pretrained, fine-tuned and aligned.

**The post's questions to you:** what do you make of the license, will Meta change it for LLAMA-3, and what follows from it? Answer below, then see what everyone else thinks on the results page.`,
};

export const LLAMA_POLLS: PollInput[] = [
  {
    slug: "license-opinion",
    question: "What do you think of Meta's LLAMA-2 license?",
    descriptionMd: "The post's first question. Pick the answer closest to your view.",
    kind: "single",
    options: [
      "It is open source",
      "Not open source, but open enough for my use",
      "Not open source, and the restrictions are a real problem",
      "Undecided",
    ],
  },
  {
    slug: "llama-3-prediction",
    question: "Will Meta change the license for LLAMA-3?",
    descriptionMd: "A prediction: the post asked this before LLAMA-3 shipped.",
    kind: "single",
    isPrediction: true,
    resolutionCriteria:
      "Resolved against the license published with the first LLAMA-3 release, compared with the LLAMA-2 license. " +
      "\"OSI-approved\" means the license is on the Open Source Initiative's list of approved licenses. " +
      "\"Loosened\" means at least one restriction of the LLAMA-2 license (such as clause 1(v), the commercial limit or the Acceptable Use Policy) is removed or narrowed and none is added. " +
      "\"Stricter\" means restrictions or duties are added. When restrictions are both narrowed and added, the admins resolve by the balance and explain it in the note, with links to both licenses.",
    options: [
      "Yes, to an OSI-approved open source license",
      "Yes, loosened but still a custom license",
      "No real change",
      "Yes, it gets stricter",
    ],
  },
  {
    slug: "implications",
    question: "Which implications of the license matter to you?",
    kind: "multiple",
    minChoices: 1,
    maxChoices: 8,
    options: [
      "It blocks AI-as-a-judge evaluation",
      "It blocks RLAIF",
      "It blocks data-synthesis pipelines",
      "It blocks model distillation",
      "It confuses what \"open source\" means",
      "It wastes energy on repeated pretraining",
      "Too little transparency about training",
      "None of these",
    ],
    exclusive: ["None of these"],
  },
  {
    slug: "statement-misleading",
    question: "Calling LLAMA-2 open source is misleading.",
    kind: "scale",
    options: [],
  },
  {
    slug: "statement-clause-1v",
    question: "Clause 1(v) should be removed from the license.",
    descriptionMd: `Clause 1(v) forbids using LLAMA-2 or its outputs to improve any other large language model.`,
    kind: "scale",
    options: [],
  },
  {
    slug: "future-osi-prediction",
    question: "Will Meta release a new Llama model under an OSI-approved open source license before 2028?",
    descriptionMd: "A prediction. Voting closes at the end of 2027.",
    kind: "single",
    isPrediction: true,
    closesAt: Date.UTC(2027, 11, 31, 23, 59, 59),
    resolutionCriteria:
      "Resolves YES if, between the creation of this poll and 2027-12-31 23:59 UTC, Meta releases the weights of a new Llama model under a license that is on the Open Source Initiative's list of approved licenses. " +
      "A custom license, however permissive, resolves NO. Resolved by the admins with a link to the license.",
    options: ["Yes", "No"],
  },
];

/**
 * Idempotent: creates what is missing and changes nothing that exists, so a
 * second start (or a start after a partial seed) leaves the database as is.
 */
export async function seed(): Promise<{ created: string[] }> {
  const created: string[] = [];
  let topic = await getTopicBySlug(LLAMA_TOPIC.slug);
  if (!topic) {
    const made = await createTopic(LLAMA_TOPIC);
    if (!made.ok) throw new Error(`seed: ${made.message}`);
    created.push(`topic ${LLAMA_TOPIC.slug}`);
    topic = await getTopicBySlug(LLAMA_TOPIC.slug);
  }
  if (!topic) throw new Error("seed: topic missing after insert");
  for (const [i, poll] of LLAMA_POLLS.entries()) {
    if (await getPoll(topic.id, poll.slug)) continue;
    const made = await createPoll(topic.id, pollForm(poll), { position: i });
    if (!made.ok) throw new Error(`seed: poll ${poll.slug}: ${made.message}`);
    created.push(`poll ${poll.slug}`);
  }
  return { created };
}
