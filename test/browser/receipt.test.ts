// Issue 25's "done when": a person votes on a phone, sees their receipt, and
// the receipt's index is in the next signed checkpoint (the real server's
// integrator places it within a second or so).
import { describe, expect, it } from "vitest";
import { openNote, parseCheckpoint, parseVerifierKey } from "../../app/lib/signed-note.server";
import { signUp, useHarness } from "./harness";

describe("a voter's receipt, on a phone", () => {
  const h = useHarness();
  it("shows the entry's hash at once, then its place in a checkpoint that the log's key verifies", async () => {
    const ctx = await h().context({ javaScript: true });
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    const poll = "/t/llama-2-license/p/license-opinion";
    await signUp(page, "receipt_phone", poll);
    await page.locator("#poll-license-opinion").getByLabel("Undecided").check();
    await page.getByRole("button", { name: "Vote" }).click();
    await expect.poll(() => page.getByTestId("mine").textContent(), { message: "waited for the answer to be recorded" }).toContain("Undecided");
    // The receipt is on the page after the vote; its place comes once integrated (reload until it shows).
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId("receipt-index").count();
        },
        { message: "waited for the receipt's index", interval: 500 },
      )
      .toBe(1);
    const index = Number(await page.getByTestId("receipt-index").textContent());
    const size = Number(await page.getByTestId("receipt-size").textContent());
    expect(index).toBeLessThan(size);
    // The receipt fits the phone: the 64-digit hash wraps instead of pushing the page sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    // The checkpoint it names verifies with the published key and covers the index.
    const key = parseVerifierKey((await (await page.request.get("/recount/key")).text()).trim());
    const opened = openNote(await (await page.request.get(`${poll}/log/checkpoint`)).text(), key);
    expect(opened.ok).toBe(true);
    expect(parseCheckpoint(opened.ok ? opened.text : "")!.size).toBeGreaterThan(index);
    const receipt = await (await page.request.get(`${poll}/receipt`)).json();
    expect(receipt).toMatchObject({ index, checkpoint: { included: true } });
    await ctx.close();
  });
});
