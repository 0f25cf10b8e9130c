import { describe, expect, it } from "vitest";
import { useHarness } from "./harness";

const h = useHarness();

describe("Content-Security-Policy in Chromium", () => {
  it("blocks an injected inline script and reports a securitypolicyviolation, while the app's own scripts run", async () => {
    const ctx = await h().context({ javaScript: true });
    const page = await ctx.newPage();
    await page.goto("/t/llama-2-license/results");
    // The app hydrated: its nonce'd scripts ran.
    await expect.poll(() => page.getByTestId("live-state").count()).toBe(1);
    const result = await page.evaluate(async () => {
      const w = window as unknown as { __injected?: number };
      const violation = new Promise<string>((resolve) => document.addEventListener("securitypolicyviolation", (e) => resolve(e.violatedDirective), { once: true }));
      const s = document.createElement("script");
      s.textContent = "window.__injected = 1";
      document.body.appendChild(s);
      const directive = await Promise.race([violation, new Promise<string>((r) => setTimeout(() => r("none"), 2000))]);
      return { directive, ran: w.__injected ?? null };
    });
    expect(result.ran).toBeNull();
    expect(result.directive).toMatch(/^script-src/);
    await ctx.close();
  });
});
