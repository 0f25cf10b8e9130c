import { describe, expect, it } from "vitest";
import { signUp, useHarness } from "./harness";

// Issue 28 (A) in a real browser: rating statements one at a time on a
// phone, with JavaScript (the next one comes without a reload) and without
// (a plain form per statement), and writing one that waits for a moderator.

const h = useHarness();
const S = "/t/llama-2-license/statements";

describe("people's statements in a browser", () => {
  for (const javaScript of [true, false]) {
    it(`rates three statements in a row and writes one, JavaScript ${javaScript ? "on" : "off"}`, async () => {
      const ctx = await h().context({ javaScript });
      const page = await ctx.newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await signUp(page, javaScript ? "rater-js" : "rater-plain", S);
      await page.goto(S);
      // A mark on the window survives only if the page is never reloaded.
      if (javaScript) await page.evaluate(() => ((window as unknown as { mark: number }).mark = 1));
      const seen: string[] = [];
      for (const vote of ["Agree", "Disagree", "Pass / unsure"]) {
        const current = (await page.getByTestId("next-statement").textContent()) ?? "";
        seen.push(current);
        await page.getByRole("button", { name: vote, exact: true }).click();
        await expect.poll(() => page.getByTestId("next-statement").textContent(), { message: "waited for the next statement" }).not.toBe(current);
      }
      expect(new Set(seen).size).toBe(3);
      await expect.poll(() => page.locator("#next-heading").textContent(), { message: "waited for the count of ratings" }).toContain("3 rated so far");
      if (javaScript) expect(await page.evaluate(() => (window as unknown as { mark?: number }).mark)).toBe(1);

      await page.getByLabel("One idea, in at most 140 characters").fill(`A statement from the ${javaScript ? "scripted" : "plain"} browser.`);
      await page.getByRole("button", { name: "Add statement" }).click();
      await expect.poll(() => page.getByRole("status").filter({ hasText: "waits for a moderator" }).count(), { message: "waited for the waiting notice" }).toBeGreaterThan(0);
      await expect.poll(() => page.getByTestId("my-statement").textContent(), { message: "waited for the author's own list" }).toContain("waiting for a moderator");
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      expect(errors).toEqual([]);
      await ctx.close();
    });
  }
});
