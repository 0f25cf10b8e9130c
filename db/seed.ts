import { getComparison, saveCell, saveClause, saveComparison, saveVersion, type ClauseStatus } from "../app/models/clauses.server";
import { createPoll, getPoll, hasResolutionHistory, pollForm, resolvePoll, type PollInput } from "../app/models/polls.server";
import { createTopic, getTopicBySlug } from "../app/models/topics.server";
import { addSeedStatement, hasSeedStatements, setStatementMode } from "../app/models/statements.server";

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
    allowGuests: true,
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
    allowGuests: true,
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
    allowGuests: true,
    question: "Calling LLAMA-2 open source is misleading.",
    kind: "scale",
    options: [],
  },
  {
    slug: "statement-clause-1v",
    allowGuests: true,
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
  {
    slug: "open-license-change",
    allowGuests: true,
    question: "Which change would matter most for calling a Llama license open?",
    descriptionMd:
      "Rank the changes, the one that matters most to you first; rank as many as you like. Counted by instant runoff: if your first choice is knocked out, your vote passes to your next. " +
      "Clause 1(v) was dropped from [Llama 3.1](https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE) on; the 700M monthly-users clause is in every version; the naming rule came with [Llama 3](https://github.com/meta-llama/llama3/blob/main/LICENSE); " +
      "the OSI's objection rests on the commercial limit and the [Acceptable Use Policy](https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/USE_POLICY.md) (its [list of approved licenses](https://opensource.org/licenses)).",
    kind: "ranked",
    options: [
      "Drop clause 1(v) (no improving other models with Llama's outputs) for good",
      "Drop the clause on services with over 700 million monthly users",
      "Drop the Acceptable Use Policy's limits on fields of use",
      "Drop the rule that derived models carry the Llama name",
      "Release under an OSI-approved license",
    ],
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
  await seedStatements(topic.id, created);
  await seedComparison(topic.id, created);
  await seedResolution(topic.id, created);
  return { created };
}

/** Seed statements for the people's statements of the LLAMA topic (issue 28), in our own words; the topic moderates strictly. */
export const LLAMA_STATEMENTS = [
  "Clause 1(v) mattered more to most developers than the 700 million monthly-user limit.",
  "A license with an Acceptable Use Policy can still fairly be called open.",
  "Meta should submit a Llama license to the Open Source Initiative for review.",
  "Open weights are useful even when the license is not open source.",
  "Training one model on another model's outputs should always be allowed.",
  "The 700 million monthly-user clause only affects a handful of companies.",
  "Calling Llama open source hurts what the term means for everyone.",
  "Model weights need a definition of open of their own, not the OSD as it is.",
  "I would think twice before building a product on Llama because of its license.",
  "Dropping clause 1(v) in Llama 3.1 fixed the license's biggest problem.",
];

async function seedStatements(topicId: number, created: string[]) {
  if (await hasSeedStatements(topicId)) return;
  await setStatementMode(null, topicId, "strict");
  for (const body of LLAMA_STATEMENTS) {
    const made = await addSeedStatement(null, topicId, body);
    if (!made.ok) throw new Error(`seed: statement: ${made.message}`);
  }
  created.push(`${LLAMA_STATEMENTS.length} statements`);
}

const SRC = {
  llama2: "https://github.com/meta-llama/llama/blob/main/LICENSE",
  llama3: "https://github.com/meta-llama/llama3/blob/main/LICENSE",
  llama31: "https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE",
  llama32: "https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/LICENSE",
  llama32Policy: "https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/USE_POLICY.md",
  llama33: "https://github.com/meta-llama/llama-models/blob/main/models/llama3_3/LICENSE",
  llama4: "https://github.com/meta-llama/llama-models/blob/main/models/llama4/LICENSE",
};

type SeedCell = [status: ClauseStatus, summary: string, sourceUrl: string];

/**
 * The Llama license through its versions, in our own words, from the checked
 * facts in shared/reference/llama-license-facts.md. Cells follow the
 * versions' order: Llama 2, 3, 3.1, then 3.2, 3.3 and 4 together.
 */
export const LLAMA_COMPARISON = {
  title: "The Llama license, version by version",
  intro:
    "How the clauses the post argues about changed from Llama 2 to Llama 4. Each row is one clause; each column is one release of the license. Every cell is our summary, with a link to the license text it comes from. Nothing here is legal advice.",
  versions: [
    { label: "Llama 2", released: "2023-07-18", sourceUrl: SRC.llama2 },
    { label: "Llama 3", released: "2024-04-18", sourceUrl: SRC.llama3 },
    { label: "Llama 3.1", released: "2024-07-23", sourceUrl: SRC.llama31 },
    { label: "Llama 3.2, 3.3 and 4", released: "2024-09-25, 2024-12-06 and 2025-04-05", sourceUrl: SRC.llama32 },
  ],
  clauses: [
    {
      slug: "1v",
      title: "Clause 1(v): outputs may not improve other LLMs",
      cells: [
        ["present", "Neither the model nor anything it outputs may be used to improve another large language model; Llama 2 and its derivatives are the exception.", SRC.llama2],
        ["present", "Kept: the same ban on using the model or its outputs to improve other large language models.", SRC.llama3],
        ["removed", "Dropped. Meta's 3.1 announcement presents synthetic data generation and distillation into other models as uses the license now allows.", SRC.llama31],
        ["absent", "Not in these licenses.", SRC.llama33],
      ] as SeedCell[],
    },
    {
      slug: "attribution",
      title: "Attribution",
      cells: [
        ["present", "Whoever passes the model on must include a copy of the license and keep Meta's attribution notice (the NOTICE file).", SRC.llama2],
        ["changed", "A new duty on top: products and services built with the model must show \"Built with Meta Llama 3\" where people can see it.", SRC.llama3],
        ["changed", "The wording to show becomes \"Built with Llama\".", SRC.llama31],
        ["present", "As in 3.1: \"Built with Llama\".", SRC.llama32],
      ] as SeedCell[],
    },
    {
      slug: "derived-model-names",
      title: "Naming of derived models",
      cells: [
        ["absent", "No rule on what models built from Llama 2 are called.", SRC.llama2],
        ["added", "A model built with the Llama 3 materials and then distributed must have a name that starts with \"Llama 3\".", SRC.llama3],
        ["changed", "The required prefix becomes \"Llama\", and it now also applies when Llama's outputs are used to train a model that is distributed.", SRC.llama31],
        ["present", "As in 3.1.", SRC.llama32],
      ] as SeedCell[],
    },
    {
      slug: "700m-mau",
      title: "The 700-million-user limit",
      cells: [
        ["present", "A company whose products had more than 700 million monthly active users on the release date must ask Meta for a separate license, which Meta may refuse.", SRC.llama2],
        ["present", "Kept, with the same threshold.", SRC.llama3],
        ["present", "Kept, with the same threshold.", SRC.llama31],
        ["present", "Kept in each of these licenses.", SRC.llama4],
      ] as SeedCell[],
    },
    {
      slug: "eu-multimodal",
      title: "EU restriction on the multimodal models",
      cells: [
        ["absent", "Nothing like it in this license or its use policy.", SRC.llama2],
        ["absent", "Nothing like it in this license or its use policy.", SRC.llama3],
        ["absent", "Nothing like it in this license or its use policy.", SRC.llama31],
        ["added", "The 3.2 Acceptable Use Policy withholds the rights to the multimodal models from individuals and companies domiciled in the EU; end users of products built on them are not affected. Llama 4's policy is reported to keep this, by secondary sources only.", SRC.llama32Policy],
      ] as SeedCell[],
    },
  ],
};

const versionsLink = (clause: string) => `/t/${LLAMA_TOPIC.slug}/versions#clause-${clause}`;

/**
 * The prediction the post asked, resolved by its own criteria: Llama 3
 * narrowed no restriction and added two duties, which the criteria call
 * "stricter". The note cites the clause rows that decided it.
 */
export const LLAMA_3_RESOLUTION = {
  pollSlug: "llama-3-prediction",
  option: "Yes, it gets stricter",
  sourceUrl: SRC.llama3,
  note:
    `Llama 3 narrowed none of the restrictions: [clause 1(v)](${versionsLink("1v")}) and [the 700-million-user limit](${versionsLink("700m-mau")}) stayed as they were. ` +
    `It added duties: [attribution](${versionsLink("attribution")}) now means showing "Built with Meta Llama 3", and [derived models](${versionsLink("derived-model-names")}) must be named starting with "Llama 3". ` +
    `Duties added and none narrowed is "stricter" under the criteria. Clause 1(v) went later, in Llama 3.1.`,
};

/** Creates the comparison, its clauses (each with its poll) and cells, if the topic has none yet. */
async function seedComparison(topicId: number, created: string[]) {
  if (await getComparison(topicId)) return;
  const ok = <T extends { ok: boolean }>(r: T, what: string): T => {
    if (!r.ok) throw new Error(`seed: ${what}: ${(r as unknown as { message: string }).message}`);
    return r;
  };
  ok(await saveComparison(null, topicId, { title: LLAMA_COMPARISON.title, intro: LLAMA_COMPARISON.intro }), "comparison");
  const versionIds: number[] = [];
  for (const [i, v] of LLAMA_COMPARISON.versions.entries()) {
    const r = await saveVersion(null, topicId, null, { ...v, position: i });
    if (!r.ok) throw new Error(`seed: version ${v.label}: ${r.message}`);
    versionIds.push(r.id);
  }
  for (const [i, c] of LLAMA_COMPARISON.clauses.entries()) {
    const r = await saveClause(null, topicId, null, { slug: c.slug, title: c.title, position: i });
    if (!r.ok) throw new Error(`seed: clause ${c.slug}: ${r.message}`);
    for (const [j, [status, summary, sourceUrl]] of c.cells.entries()) ok(await saveCell(null, topicId, r.id, versionIds[j], { status, summary, sourceUrl }), `cell ${c.slug}`);
  }
  created.push("comparison of the Llama license versions");
}

/** Resolves the LLAMA-3 prediction if nobody has (an admin's resolution, or undoing it, stands). */
async function seedResolution(topicId: number, created: string[]) {
  const poll = await getPoll(topicId, LLAMA_3_RESOLUTION.pollSlug);
  if (!poll || poll.resolvedAt !== null || (await hasResolutionHistory(poll.id))) return;
  const option = poll.options.find((o) => o.label === LLAMA_3_RESOLUTION.option);
  if (!option) return;
  const r = await resolvePoll(null, poll.id, { optionId: option.id, note: LLAMA_3_RESOLUTION.note, sourceUrl: LLAMA_3_RESOLUTION.sourceUrl });
  if (!r.ok) throw new Error(`seed: resolution: ${r.message}`);
  created.push(`resolution of ${LLAMA_3_RESOLUTION.pollSlug}`);
}
