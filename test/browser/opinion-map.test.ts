import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { NODE_TS } from "../helpers";
import { useHarness } from "./harness";

const h = useHarness();
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

describe("the opinion map of the demo community", () => {
  it("shows distinct groups, what sets them apart and a shared answer, at phone and desktop widths, with JavaScript on and off", async () => {
    const env = h().dbFile.startsWith("postgres") ? { DATABASE_URL: h().dbFile } : { DATABASE_PATH: h().dbFile };
    const seeded = spawnSync(NODE_TS[0], [...NODE_TS[1], "scripts/seed-demo.ts"], { env: { ...process.env, ...env }, encoding: "utf8" });
    expect(seeded.status, seeded.stderr).toBe(0);

    for (const javaScript of [true, false]) {
      for (const width of [390, 1280]) {
        const ctx = await h().context({ javaScript });
        const page = await ctx.newPage();
        await page.setViewportSize({ width, height: 900 });
        await page.goto("/t/llama-2-license/results");
        await page.getByRole("link", { name: "See the opinion map" }).click();
        await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent(), { message: "waited for page.getByRole(\"heading\", { level: 1 }).textContent()" }).toBe("Opinion map");
        await expect.poll(async () => page.getByText(/They fall into [2-5] groups\./).count(), { message: "waited for page.getByText(/They fall into [2-5] groups\\./).count()" }).toBe(1);
        const groups = page.locator("h3", { hasText: /^ ?Group [A-E]: \d+ people$/ });
        expect(await groups.count()).toBeGreaterThanOrEqual(2);
        // Each group has answers that set it apart, with intervals.
        await expect.poll(async () => page.getByRole("region", { name: /What sets Group A apart/ }).locator("tbody tr").count(), { message: "waited for page.getByRole(\"region\", { name: /What sets Group A apart/ }).locator(\"tbody tr\").c..." }).toBeGreaterThan(0);
        // The group tables need no sideways scrolling, and each answer gets most of the width (issue 23, newcomer 8:
        // at 390 px the answer column was about 100 px and "Difference" was cut off).
        const cramped = await page.locator(".table-scroll", { has: page.locator("table") }).evaluateAll((regions) =>
          regions
            .filter((r) => r.getAttribute("aria-label")?.startsWith("What sets"))
            .filter((r) => r.scrollWidth > r.clientWidth + 1 || [...r.querySelectorAll("tbody th")].some((th) => th.getBoundingClientRect().width < 0.45 * r.clientWidth))
            .map((r) => r.getAttribute("aria-label")),
        );
        expect(cramped, `group tables cramped at ${width} px`).toEqual([]);
        await expect.poll(async () => page.locator("h2", { hasText: "What every group shares" }).locator("xpath=following-sibling::ul[1]/li").count(), { message: "waited for page.locator(\"h2\", { hasText: \"What every group shares\" }).locator(\"xpath=followin..." }).toBeGreaterThan(0);
        await expect.poll(async () => page.locator("svg[role=img] circle.dot").count(), { message: "waited for page.locator(\"svg[role=img] circle.dot\").count()" }).toBeGreaterThan(5);
        // Nothing scrolls sideways.
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
        if (javaScript) {
          await page.evaluate(AXE);
          const violations = await page.evaluate(async () => {
            const r = await (window as unknown as { axe: { run: (o: object) => Promise<{ violations: { id: string }[] }> } }).axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } });
            return r.violations.map((v) => v.id);
          });
          expect(violations).toEqual([]);
        }
        await ctx.close();
      }
    }
  });
});
