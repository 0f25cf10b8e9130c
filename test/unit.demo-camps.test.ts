import { describe, expect, it } from "vitest";
import { LLAMA_POLLS } from "../db/seed";
import { CAMPS } from "../scripts/demo-camps";

// Issue 23: the demo's camps must hold the views they are described with, or
// the showcase map contradicts itself.

const camp = (name: string) => CAMPS.find((c) => c.name === name)!;
const label = (c: string, poll: string) => (camp(c).answers[poll] as string[])[0];

describe("the demo's camps", () => {
  it("answer only with labels the seeded polls have, and scales from 1 to 5", () => {
    for (const c of CAMPS) {
      for (const [slug, want] of Object.entries(c.answers)) {
        if (typeof want === "number") {
          expect(want, `${c.name} ${slug}`).toBeGreaterThanOrEqual(1);
          expect(want, `${c.name} ${slug}`).toBeLessThanOrEqual(5);
          continue;
        }
        const poll = LLAMA_POLLS.find((p) => p.slug === slug);
        expect(poll, `${c.name}: ${slug}`).toBeDefined();
        for (const l of want) expect(poll!.options, `${c.name}: ${slug}`).toContain(l);
      }
    }
  });

  it("hold the views their descriptions give", () => {
    expect(label("closed", "license-opinion")).toMatch(/^Not open source, and the restrictions are a real problem/);
    expect(camp("closed").answers["statement-misleading"]).toBeGreaterThanOrEqual(4);
    expect(camp("closed").answers["statement-clause-1v"]).toBeGreaterThanOrEqual(4);
    expect(camp("closed").answers.implications).toContain("It blocks model distillation");
    expect(label("pragmatic", "license-opinion")).toMatch(/open enough for my use/);
    expect(camp("pragmatic").answers["statement-misleading"]).toBeGreaterThanOrEqual(3);
    expect(label("open", "license-opinion")).toBe("It is open source");
    // Who says it is open source does not agree that calling it so is misleading.
    expect(camp("open").answers["statement-misleading"]).toBeLessThanOrEqual(2);
    expect(camp("open").answers.implications).toEqual(["None of these"]);
  });

  it("tell the clauses apart: no camp answers all five clause questions alike, and the camps differ on each", () => {
    const clauses = ["clause-1v", "clause-attribution", "clause-derived-model-names", "clause-700m-mau", "clause-eu-multimodal"];
    for (const c of CAMPS) expect(new Set(clauses.map((k) => c.answers[k])).size, c.name).toBeGreaterThan(1);
    for (const k of clauses) expect(new Set(CAMPS.map((c) => c.answers[k])).size, k).toBeGreaterThan(1);
  });
});
