import { describe, expect, it } from "vitest";
import { WAIT_MS } from "../waits";
import { useHarness } from "./harness";

const h = useHarness();

describe("Content-Security-Policy in Chromium", () => {
  it("blocks an injected inline script and reports a securitypolicyviolation, while the app's own scripts run", async () => {
    const ctx = await h().context({ javaScript: true });
    const page = await ctx.newPage();
    await page.goto("/t/llama-2-license/results");
    // The app hydrated: its nonce'd scripts ran.
    await expect.poll(() => page.getByTestId("live-state").count(), { message: "waited for page.getByTestId(\"live-state\").count()" }).toBe(1);
    // The violation is awaited for as long as any wait; "none" only when it never came.
    const result = await page.evaluate(async (waitMs) => {
      const w = window as unknown as { __injected?: number };
      const violation = new Promise<string>((resolve) => document.addEventListener("securitypolicyviolation", (e) => resolve(e.violatedDirective), { once: true }));
      const s = document.createElement("script");
      s.textContent = "window.__injected = 1";
      document.body.appendChild(s);
      const directive = await Promise.race([violation, new Promise<string>((r) => setTimeout(() => r("none"), waitMs))]);
      return { directive, ran: w.__injected ?? null };
    }, WAIT_MS);
    expect(result.ran).toBeNull();
    expect(result.directive).toMatch(/^script-src/);
    await ctx.close();
  });
});
