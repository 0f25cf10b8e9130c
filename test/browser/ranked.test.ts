import { describe, expect, it } from "vitest";
import { useHarness } from "./harness";

// Issue 28 (B) in a real browser: a ranked ballot made with the keyboard on a
// phone, the same ballot without JavaScript, and the runoff's rounds and
// transfers read on a phone without sideways scrolling.

const h = useHarness({ GUEST_BALLOTS_PER_ADDRESS: "1000" });
const T = "/t/llama-2-license";
const P = `${T}/p/open-license-change`;
const PHONE = { width: 390, height: 844 };

type Poll = { slug: string; voters: number; runoff: { winner: number | null; rounds: { eliminated: number[] }[] } | null; options: { id: number; label: string }[] };
const poll = async () =>
  ((await (await fetch(`${h().url}${T}/results.json`, { headers: { "Cache-Control": "no-cache" } })).json()) as { polls: Poll[] }).polls.find((p) => p.slug === "open-license-change")!;

/** A guest's ranking over HTTP (option ids, first choice first). */
async function guestRanks(ids: number[]): Promise<void> {
  const body = new URLSearchParams({ intent: "vote" });
  for (const [i, id] of ids.entries()) body.append("rank", `${id}:${i + 1}`);
  const res = await fetch(`${h().url}${P}`, { method: "POST", headers: { Origin: h().url, "Content-Type": "application/x-www-form-urlencoded" }, body, redirect: "manual" });
  expect(res.status).toBe(302);
}

describe("ranked-choice polls in a browser", () => {
  it("a phone ranks with the keyboard alone: adds three, moves one up, votes; the answer shows in rank order", async () => {
    const ctx = await h().context();
    const page = await ctx.newPage();
    await page.setViewportSize(PHONE);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(P);
    const form = page.locator("#poll-open-license-change");
    await expect.poll(() => form.getByRole("button", { name: /^Rank next: / }).count(), { message: "waited for the ranking list" }).toBe(5);
    // Keyboard only: focus a button and press Enter or Space.
    for (const name of ["Rank next: Release under an OSI-approved license", "Rank next: Drop clause 1(v) (no improving other models with Llama's outputs) for good", "Rank next: Drop the Acceptable Use Policy's limits on fields of use"]) {
      await form.getByRole("button", { name }).focus();
      await page.keyboard.press("Enter");
    }
    // Focus followed each option ranked: to its row's "up" button.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label")), { message: "waited for focus to follow the last option ranked" }).toBe("Move Drop the Acceptable Use Policy's limits on fields of use up");
    await form.getByRole("button", { name: "Move Drop clause 1(v) (no improving other models with Llama's outputs) for good up" }).focus();
    await page.keyboard.press("Space");
    await expect.poll(() => form.locator("ol.choices li .choice-label").allTextContents(), { message: "waited for the ranking's new order" }).toEqual([
      "1Drop clause 1(v) (no improving other models with Llama's outputs) for good",
      "2Release under an OSI-approved license",
      "3Drop the Acceptable Use Policy's limits on fields of use",
    ]);
    await expect.poll(() => form.getByRole("status").last().textContent(), { message: "waited for the move to be announced" }).toContain("place 1 of 3");
    await form.getByRole("button", { name: "Vote" }).click();
    await expect.poll(() => form.getByTestId("mine").textContent(), { message: "waited for the answer, in rank order" }).toBe(
      "You answered: 1. Drop clause 1(v) (no improving other models with Llama's outputs) for good; 2. Release under an OSI-approved license; 3. Drop the Acceptable Use Policy's limits on fields of use",
    );
    const p = await poll();
    expect(p.voters).toBe(1);
    expect(p.runoff?.winner).toBe(p.options.find((o) => o.label.startsWith("Drop clause 1(v)"))!.id);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it("without JavaScript: a select of places per option, posted and shown again", async () => {
    const ctx = await h().context({ javaScript: false });
    const page = await ctx.newPage();
    await page.setViewportSize(PHONE);
    await page.goto(P);
    await page.getByLabel("Place of Release under an OSI-approved license").selectOption({ label: "1" });
    await page.getByLabel("Place of Drop the rule that derived models carry the Llama name").selectOption({ label: "2" });
    await page.getByRole("button", { name: "Vote" }).click();
    await expect.poll(() => page.getByTestId("mine").textContent(), { message: "waited for the answer after the plain post" }).toBe("You answered: 1. Release under an OSI-approved license; 2. Drop the rule that derived models carry the Llama name");
    // Two options in one place: refused, with what was chosen kept.
    await page.getByLabel("Place of Drop the Acceptable Use Policy's limits on fields of use").selectOption({ label: "1" });
    await page.getByRole("button", { name: "Change answer" }).click();
    await expect.poll(() => page.locator("#poll-open-license-change .field-error").textContent(), { message: "waited for the refusal's field message" }).toContain("Give each place to one option only.");
    expect(await page.getByLabel("Place of Drop the Acceptable Use Policy's limits on fields of use").inputValue()).toMatch(/:1$/);
    await ctx.close();
  });

  it("the rounds and transfers read on a phone, with no sideways scroll", async () => {
    const { options } = await poll();
    const [a, b, c, d] = options.map((o) => o.id);
    for (const ballot of [...Array(4).fill([a, b]), ...Array(3).fill([b]), ...Array(2).fill([c, b]), [d, c]] as number[][]) await guestRanks(ballot);
    const ctx = await h().context();
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 320, height: 700 });
    await page.goto(`${T}/results#poll-open-license-change`);
    const card = page.locator("#poll-open-license-change");
    await expect.poll(() => card.getByRole("heading", { name: "The count, round by round" }).isVisible(), { message: "waited for the runoff's heading" }).toBe(true);
    await expect.poll(() => card.locator(".runoff-outcome").textContent(), { message: "waited for the runoff's outcome" }).toMatch(/wins in round \d/);
    expect(await card.locator(".transfers").first().textContent()).toMatch(/go(?:es)? out: \d+ ballots? passed on \(\d+ to /);
    expect(await card.locator("table.runoff-round").count()).toBeGreaterThanOrEqual(2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await ctx.close();
  });
});
