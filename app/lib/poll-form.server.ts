import type { PollForm } from "~/models/admin.server";
import type { pollFormSchema } from "~/models/validation.server";
import type { z } from "zod";

/** Parsed poll form -> the model's input. */
export function toPollInput(d: z.infer<typeof pollFormSchema>): PollForm {
  return {
    slug: d.slug,
    question: d.question,
    descriptionMd: d.descriptionMd,
    kind: d.kind,
    options: d.options.map((label, i) => ({ id: d.optionIds[i] === "new" ? null : Number(d.optionIds[i]), label })),
    minChoices: d.minChoices,
    maxChoices: d.maxChoices,
    scaleMinLabel: d.scaleMinLabel,
    scaleMaxLabel: d.scaleMaxLabel,
    visibility: d.visibility,
    closesAt: d.closesAt,
    shuffle: d.shuffle,
    isPrediction: d.isPrediction,
    resolutionCriteria: d.resolutionCriteria,
  };
}
