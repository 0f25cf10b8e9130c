import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { signUp, useHarness } from "./harness";

const h = useHarness();

async function signUpAndVote(page: Page, name: string, label: string) {
  await signUp(page, name, "/t/llama-2-license/p/license-opinion");
  await page.locator("#poll-license-opinion").getByLabel(label).check();
  await page.getByRole("button", { name: "Vote" }).click();
  await expect.poll(() => page.getByTestId("mine").count(), { message: "waited for page.getByTestId(\"mine\").count()" }).toBe(1);
  // "mine" shows at once (optimistic); the status line waits for the server.
  await expect.poll(() => page.locator("#poll-license-opinion").getByRole("status").textContent(), { message: "waited for page.locator(\"#poll-license-opinion\").getByRole(\"status\").textContent()" }).toContain("Your answer was recorded.");
}

describe("the results page in a browser", () => {
  it("renders the charts with and without JavaScript, and a vote in one tab shows up live in another", async () => {
    const voter = await h().context({ javaScript: false });
    await signUpAndVote(await voter.newPage(), "first_voter", "Undecided");

    for (const javaScript of [false, true]) {
      const ctx = await h().context({ javaScript });
      const page = await ctx.newPage();
      await page.goto("/t/llama-2-license/results");
      // An image to assistive technology, named by the question and described by every value.
      const chart = page.getByRole("img", { name: "What do you think of Meta's LLAMA-2 license?" });
      expect(await chart.count()).toBe(1);
      await expect.poll(async () => chart.getAttribute("class"), { message: "waited for chart.getAttribute(\"class\")" }).toBe("chart bars");
      await expect.poll(async () => page.locator(`#${(await chart.getAttribute("aria-labelledby"))!.split(" ")[1]}`).textContent(), { message: "waited for page.locator(`#${(await chart.getAttribute(\"aria-labelledby\"))!.split(\" \")[1]}`).te..." }).toContain("Undecided: 1 (100%");
      const box = await chart.locator("svg.bar").first().boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      await expect.poll(async () => page.locator("#poll-statement-misleading .chart.likert svg").count(), { message: "waited for page.locator(\"#poll-statement-misleading .chart.likert svg\").count()" }).toBe(1);
      await expect.poll(async () => page.locator("#poll-license-opinion table").count(), { message: "waited for page.locator(\"#poll-license-opinion table\").count()" }).toBe(1);
      await expect.poll(async () => page.getByTestId("last-updated").textContent(), { message: "waited for page.getByTestId(\"last-updated\").textContent()" }).toMatch(/Last vote \d{4}-\d\d-\d\d/);
      await ctx.close();
    }

    // Live: a watcher with JavaScript sees a vote cast elsewhere, without reloading.
    const watchCtx = await h().context({ javaScript: true });
    const watcher = await watchCtx.newPage();
    await watcher.goto("/t/llama-2-license/results");
    await expect.poll(() => watcher.getByTestId("live-state").textContent(), { message: "waited for watcher.getByTestId(\"live-state\").textContent()" }).toBe("updating live");
    await watcher.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
    await expect.poll(async () => watcher.getByTestId("voters-license-opinion").textContent(), { message: "waited for watcher.getByTestId(\"voters-license-opinion\").textContent()" }).toBe("1 voter");
    const other = await h().context({ javaScript: true });
    await signUpAndVote(await other.newPage(), "second_voter", "It is open source");
    await expect.poll(() => watcher.getByTestId("voters-license-opinion").textContent(), { message: "waited for watcher.getByTestId(\"voters-license-opinion\").textContent()" }).toBe("2 voters");
    expect(await watcher.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);

    // Pausing stops updates.
    await watcher.getByRole("button", { name: "Pause live updates" }).click();
    await expect.poll(async () => watcher.getByTestId("live-state").textContent(), { message: "waited for watcher.getByTestId(\"live-state\").textContent()" }).toBe("live updates paused");
    // A second watcher, live, is the proof that the update went out: once it
    // shows the third vote, the paused one has had its chance and must not.
    const liveCtx = await h().context({ javaScript: true });
    const live = await liveCtx.newPage();
    await live.goto("/t/llama-2-license/results");
    await expect.poll(() => live.getByTestId("live-state").textContent(), { message: "waited for the second watcher to go live" }).toBe("updating live");
    const third = await h().context({ javaScript: false });
    await signUpAndVote(await third.newPage(), "third_voter", "It is open source");
    await expect.poll(() => live.getByTestId("voters-license-opinion").textContent(), { message: "waited for the live watcher to see the third vote" }).toBe("3 voters");
    await expect.poll(async () => watcher.getByTestId("voters-license-opinion").textContent(), { message: "waited for watcher.getByTestId(\"voters-license-opinion\").textContent()" }).toBe("2 voters");
    await watcher.getByRole("button", { name: "Resume live updates" }).click();
    await expect.poll(() => watcher.getByTestId("voters-license-opinion").textContent(), { message: "waited for watcher.getByTestId(\"voters-license-opinion\").textContent()" }).toBe("3 voters");

    for (const c of [voter, watchCtx, other, liveCtx, third]) await c.close();
  });
});
