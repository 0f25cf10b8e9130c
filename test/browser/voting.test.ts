import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { signUp, useHarness } from "./harness";

const card = (page: Page, slug: string) => page.locator(`#poll-${slug}`);
const shareText = (page: Page, slug: string, label: string) =>
  card(page, slug).locator("li", { hasText: label }).locator(".share-text, .scale-count").textContent();

describe.each([
  ["JavaScript on", true],
  ["JavaScript off", false],
])("voting with %s", (_label, javaScript) => {
  const h = useHarness();
  it("answers all six questions, changes and withdraws answers, and sees the counts move", async () => {
    const ctx = await h().context({ javaScript });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await signUp(page, javaScript ? "voter_js" : "voter_nojs", "/t/llama-2-license");
    await expect.poll(() => page.url(), { message: "waited for page.url()" }).toContain("/t/llama-2-license");

    // With JavaScript, votes must update in place: a full page load would drop this marker.
    if (javaScript) await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
    // An answered question is folded on the topic page: open it to change the answer.
    const unfold = async (slug: string) => {
      const fold = card(page, slug).locator("details.change");
      if ((await fold.count()) && (await fold.getAttribute("open")) === null) await fold.locator("summary").click();
    };
    const vote = async (slug: string, pick: () => Promise<void>, expectMine: string) => {
      await unfold(slug);
      await pick();
      await card(page, slug).getByRole("button", { name: /^(Vote|Change answer)$/ }).click();
      await expect.poll(() => card(page, slug).getByTestId("mine").textContent(), { message: "waited for card(page, slug).getByTestId(\"mine\").textContent()" }).toContain(expectMine);
      await expect.poll(() => card(page, slug).getByRole("status").textContent(), { message: "waited for card(page, slug).getByRole(\"status\").textContent()" }).toContain("Your answer was recorded.");
      // With JavaScript the focus moves to the confirmation instead of dropping to <body>.
      if (javaScript) await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? ""), { message: "waited for page.evaluate(() => document.activeElement?.textContent ?? \"\")" }).toContain("Your answer was recorded.");
    };

    await vote("license-opinion", () => card(page, "license-opinion").getByLabel("Not open source, and the restrictions are a real problem").check(), "real problem");
    expect(await shareText(page, "license-opinion", "real problem")).toBe("1 (100%)");
    // The LLAMA-3 prediction is resolved: settled history on the topic page, with its outcome and no form.
    expect(await card(page, "llama-3-prediction").getByTestId("resolution-llama-3-prediction").textContent()).toContain("Resolved: Yes, it gets stricter");
    expect(await card(page, "llama-3-prediction").getByRole("button").count()).toBe(0);
    await vote(
      "implications",
      async () => {
        const box = (label: string) => card(page, "implications").getByLabel(label);
        if (javaScript) {
          // "None of these" is exclusive: ticking it clears the others, and ticking another clears it.
          await box("It blocks RLAIF").check();
          await box("None of these").check();
          expect(await box("It blocks RLAIF").isChecked()).toBe(false);
          await box("It blocks RLAIF").check();
          expect(await box("None of these").isChecked()).toBe(false);
        } else {
          // Without JavaScript the mix can be sent, and the server refuses it.
          await box("It blocks RLAIF").check();
          await box("None of these").check();
          await card(page, "implications").getByRole("button", { name: "Vote" }).click();
          await expect.poll(() => card(page, "implications").getByRole("alert").textContent(), { message: "waited for card(page, \"implications\").getByRole(\"alert\").textContent()" }).toContain("cannot be picked together with other answers");
          expect(await card(page, "implications").getByTestId("mine").count()).toBe(0);
          await page.goto("/t/llama-2-license");
        }
        await box("It blocks RLAIF").check();
        await box("It blocks model distillation").check();
      },
      "It blocks RLAIF; It blocks model distillation",
    );
    await vote("statement-misleading", () => card(page, "statement-misleading").getByLabel("Strongly agree").check(), "Strongly agree");
    await vote("statement-clause-1v", () => card(page, "statement-clause-1v").getByRole("radio", { name: "Agree", exact: true }).check(), "Agree");
    await vote("future-osi-prediction", () => card(page, "future-osi-prediction").getByLabel("No", { exact: true }).check(), "No");

    if (javaScript) {
      expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
      expect(new URL(page.url()).search).toBe("");
    }

    // Change an answer: the count moves from one option to the other.
    await vote("license-opinion", () => card(page, "license-opinion").getByLabel("Undecided").check(), "Undecided");
    await expect.poll(() => shareText(page, "license-opinion", "Undecided"), { message: "waited for shareText(page, \"license-opinion\", \"Undecided\")" }).toBe("1 (100%)");
    expect(await shareText(page, "license-opinion", "real problem")).toBe("0 (0%)");

    // Withdraw: the count goes back to zero and the answer is gone.
    await unfold("implications");
    await card(page, "implications").getByRole("button", { name: "Withdraw answer" }).click();
    await expect.poll(() => card(page, "implications").getByRole("status").textContent(), { message: "waited for card(page, \"implications\").getByRole(\"status\").textContent()" }).toContain("withdrawn");
    expect(await card(page, "implications").getByTestId("mine").count()).toBe(0);
    expect(await shareText(page, "implications", "It blocks RLAIF")).toBe("0 (0%)");

    // A second person's vote shows up for the first after a reload.
    const other = await h().context({ javaScript });
    const p2 = await other.newPage();
    await signUp(p2, javaScript ? "second_js" : "second_nojs", "/t/llama-2-license");
    await card(p2, "license-opinion").getByLabel("Undecided").check();
    await card(p2, "license-opinion").getByRole("button", { name: "Vote" }).click();
    await expect.poll(() => card(p2, "license-opinion").getByTestId("mine").count(), { message: "waited for card(p2, \"license-opinion\").getByTestId(\"mine\").count()" }).toBe(1);
    // "mine" shows at once (optimistic); the status line waits for the server.
    await expect.poll(() => card(p2, "license-opinion").getByRole("status").textContent(), { message: "waited for card(p2, \"license-opinion\").getByRole(\"status\").textContent()" }).toContain("Your answer was recorded.");
    await page.reload();
    await expect.poll(() => shareText(page, "license-opinion", "Undecided"), { message: "waited for shareText(page, \"license-opinion\", \"Undecided\")" }).toBe("2 (100%)");

    // An invalid submission (nothing picked) explains itself.
    await card(page, "license-opinion").getByRole("link", { name: /What do you think/ }).click();
    await expect.poll(() => page.getByRole("button", { name: "Withdraw answer" }).count(), { message: "waited for page.getByRole(\"button\", { name: \"Withdraw answer\" }).count()" }).toBe(1);
    await page.getByRole("button", { name: "Withdraw answer" }).click();
    await expect.poll(() => page.getByRole("status").first().textContent(), { message: "waited for page.getByRole(\"status\").first().textContent()" }).toContain("withdrawn");
    await page.getByRole("button", { name: "Vote" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent(), { message: "waited for page.getByRole(\"alert\").first().textContent()" }).toContain("Pick an option.");

    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await ctx.close();
    await other.close();
  });
});

describe("signed out", () => {
  const h = useHarness();
  it("sees the options and a sign-in link that brings them back to the poll (one that takes no guests)", async () => {
    const ctx = await h().context({ javaScript: true });
    const page = await ctx.newPage();
    // A prediction: scored per person, so no guests (issue 27); the opinion polls take guests' answers.
    await page.goto("/t/llama-2-license/p/future-osi-prediction");
    await expect.poll(async () => page.getByRole("radio").count(), { message: "waited for page.getByRole(\"radio\").count()" }).toBe(2);
    await expect.poll(async () => page.getByRole("button", { name: "Vote" }).count(), { message: "waited for page.getByRole(\"button\", { name: \"Vote\" }).count()" }).toBe(0);
    await page.getByRole("link", { name: "Sign in to vote" }).click();
    await expect.poll(() => new URL(page.url()).pathname, { message: "waited for new URL(page.url()).pathname" }).toBe("/login");
    await page.getByRole("link", { name: "Create an account", exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname, { message: "waited for new URL(page.url()).pathname" }).toBe("/signup");
    await page.getByLabel("Username").fill("returner");
    await page.getByLabel("Password").fill("a long passphrase");
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect.poll(() => new URL(page.url()).pathname, { message: "waited for new URL(page.url()).pathname" }).toBe("/welcome");
    await page.getByRole("link", { name: "Continue" }).click();
    await expect.poll(() => new URL(page.url()).pathname, { message: "waited for new URL(page.url()).pathname" }).toBe("/t/llama-2-license/p/future-osi-prediction");
    // The address changes as the navigation commits; the page renders just after.
    await expect.poll(() => page.getByRole("button", { name: "Vote" }).count(), { message: "waited for page.getByRole(\"button\", { name: \"Vote\" }).count()" }).toBe(1);
    await ctx.close();
  });
});
