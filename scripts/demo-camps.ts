// The demo's voters (npm run db:seed:demo), written by meaning: each camp
// answers by option label, so a reordered option cannot turn a camp against
// its own description (issue 23: the "closed" camp once answered "It is open
// source"). test/unit.demo-camps.test.ts holds each camp to its description.

/** Answers by label for choice polls, a value 1-5 for scales. */
export type CampAnswers = Record<string, string[] | number>;
export type Camp = { name: string; description: string; size: number; answers: CampAnswers };

const OSI_CONFUSION = 'It confuses what "open source" means';

export const CAMPS: Camp[] = [
  {
    name: "closed",
    description: "Not open source, and the restrictions (clause 1(v) above all) are a real problem; they doubt Meta will ever use an OSI license.",
    size: 24,
    answers: {
      "license-opinion": ["Not open source, and the restrictions are a real problem"],
      implications: ["It blocks AI-as-a-judge evaluation", "It blocks model distillation", OSI_CONFUSION],
      "statement-misleading": 5,
      "statement-clause-1v": 5,
      "future-osi-prediction": ["No"],
      "clause-1v": 5,
      "clause-attribution": 2,
      "clause-derived-model-names": 3,
      "clause-700m-mau": 5,
      "clause-eu-multimodal": 5,
    },
  },
  {
    name: "pragmatic",
    description: "Not open source, but open enough for their use; the label bothers them more than the clauses do.",
    size: 20,
    answers: {
      "license-opinion": ["Not open source, but open enough for my use"],
      implications: [OSI_CONFUSION],
      "statement-misleading": 4,
      "statement-clause-1v": 3,
      "future-osi-prediction": ["No"],
      "clause-1v": 3,
      "clause-attribution": 1,
      "clause-derived-model-names": 2,
      "clause-700m-mau": 2,
      "clause-eu-multimodal": 3,
    },
  },
  {
    name: "open",
    description: "It is open source as far as they are concerned: the weights are out; no implication matters to them, and they expect an OSI license in time.",
    size: 16,
    answers: {
      "license-opinion": ["It is open source"],
      implications: ["None of these"],
      "statement-misleading": 1,
      "statement-clause-1v": 2,
      "future-osi-prediction": ["Yes"],
      "clause-1v": 1,
      "clause-attribution": 1,
      "clause-derived-model-names": 1,
      "clause-700m-mau": 1,
      "clause-eu-multimodal": 2,
    },
  },
];
