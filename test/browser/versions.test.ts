import fs from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { setRoleOf, signUp, useHarness } from "./harness";

// The issue's "Done when": on a phone, read the timeline, open clause 1(v)'s
// thread, comment, answer its poll, and see the prediction's resolution cite
// the clause. With JavaScript on and off.

const h = useHarness();
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const T = "/t/llama-2-license";
const card = (page: Page, slug: string) => page.locator(`#poll-${slug}`);

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run: (o: object) => Promise<{ violations: { id: string }[] }> } }).axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } });
    return r.violations.map((v) => v.id);
  });
}

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe("the license through its versions, on a phone", () => {
  for (const javaScript of [true, false]) {
    it(`reads the timeline, discusses and answers clause 1(v), and follows the prediction's citation back (JavaScript ${javaScript ? "on" : "off"})`, async () => {
      const ctx = await h().context({ javaScript });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.setViewportSize({ width: 390, height: 844 });
      const name = javaScript ? "clause_js" : "clause_nojs";
      await signUp(page, name, `${T}/versions`);

      // The timeline.
      await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent(), { message: "waited for page.getByRole(\"heading\", { level: 1 }).textContent()" }).toBe("The Llama license, version by version");
      const clause = page.locator("#clause-1v");
      await expect.poll(async () => clause.locator(".timeline li").count(), { message: "waited for clause.locator(\".timeline li\").count()" }).toBe(4);
      await expect.poll(async () => clause.locator(".timeline li").nth(2).textContent(), { message: "waited for clause.locator(\".timeline li\").nth(2).textContent()" }).toMatch(/Llama 3\.1.*removed/);
      expect(await noSidewaysScroll(page)).toBe(true);
      if (javaScript) expect(await axeViolations(page)).toEqual([]);

      // Its thread.
      await clause.getByRole("link", { name: "Discuss this clause" }).click();
      await page.waitForURL(/\/p\/clause-1v/);
      await expect.poll(() => page.getByRole("heading", { name: /About a clause: Clause 1\(v\)/ }).count(), { message: "waited for page.getByRole(\"heading\", { name: /About a clause: Clause 1\\(v\\)/ }).count()" }).toBe(1);
      const words = `Without 1(v), distillation is fine from 3.1 on (${name}).`;
      await page.getByLabel("Add to the discussion").fill(words);
      await page.getByRole("button", { name: "Post comment" }).first().click();
      await expect.poll(() => page.locator(".comment-body", { hasText: words }).count(), { message: "waited for page.locator(\".comment-body\", { hasText: words }).count()" }).toBe(1);

      // Its poll.
      await page.goto(`${T}/p/clause-1v`);
      await card(page, "clause-1v").getByRole("radio", { name: "Agree", exact: true }).check();
      await card(page, "clause-1v").getByRole("button", { name: "Vote" }).click();
      await expect.poll(() => card(page, "clause-1v").getByRole("status").textContent(), { message: "waited for card(page, \"clause-1v\").getByRole(\"status\").textContent()" }).toContain("Your answer was recorded.");
      expect(await noSidewaysScroll(page)).toBe(true);
      if (javaScript) expect(await axeViolations(page)).toEqual([]);

      // The prediction, resolved, cites the clause; its link lands on the clause's row.
      await page.goto(`${T}/p/llama-3-prediction`);
      const resolution = page.getByTestId("resolution-llama-3-prediction");
      expect(await resolution.textContent()).toContain("Resolved: Yes, it gets stricter");
      await resolution.getByRole("link", { name: "clause 1(v)" }).click();
      await page.waitForURL(/\/versions#clause-1v$/);
      await expect.poll(() => page.locator("#clause-1v .clause-links").textContent(), { message: "waited for page.locator(\"#clause-1v .clause-links\").textContent()" }).toMatch(/\(1 answer\)[\s\S]*\(1 comment\)|\([12] answers\)[\s\S]*\([12] comments\)/);

      // And the results page says where to re-count.
      await page.goto(`${T}/results`);
      expect(await card(page, "clause-1v").locator(".ballot-log").textContent()).toMatch(/Re-count it: \d+ ballot events? in the public log/);
      expect(await noSidewaysScroll(page)).toBe(true);
      expect(errors).toEqual([]);
      await ctx.close();
    });
  }

  it("an admin rewrites a cell from the browser, on a phone, and readers see it", async () => {
    const ctx = await h().context();
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await signUp(page, "cell_editor");
    setRoleOf(h(), "cell_editor", "admin");
    await page.goto("/admin/topics/llama-2-license/versions");
    const clause = page.locator(".card", { has: page.getByRole("heading", { level: 3, name: /^Clause 1\(v\)/ }) });
    const cell = clause.locator("form.cell-form", { has: page.getByRole("heading", { name: "In Llama 3", exact: true }) });
    await cell.getByLabel("Summary, in our own words").fill("Kept word for word from Llama 2 (edited in the browser).");
    await cell.getByRole("button", { name: "Save Llama 3" }).click();
    await expect.poll(() => page.getByRole("status").first().textContent(), { message: "waited for page.getByRole(\"status\").first().textContent()" }).toContain("Saved.");
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.goto(`${T}/versions`);
    await expect.poll(async () => page.locator("#clause-1v").textContent(), { message: "waited for page.locator(\"#clause-1v\").textContent()" }).toContain("Kept word for word from Llama 2 (edited in the browser).");
    await ctx.close();
  });

  it("reads as a table at desktop width, without sideways scroll", async () => {
    const ctx = await h().context();
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${T}/versions`);
    await expect.poll(async () => page.locator("table.overview tbody tr").count(), { message: "waited for page.locator(\"table.overview tbody tr\").count()" }).toBe(5);
    await expect.poll(async () => page.locator("table.overview thead th").count(), { message: "waited for page.locator(\"table.overview thead th\").count()" }).toBe(5);
    expect(await noSidewaysScroll(page)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await ctx.close();
  });
});
