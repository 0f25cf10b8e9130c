// Issue 26: signed-in readers get kept pages joined with their own parts.
// Three people with different answers on one topic each see only their own,
// with JavaScript on and off, and hydration never disagrees with the page.
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { setRoleOf, signUp, useHarness } from "./harness";

const h = useHarness();

/** Console errors and uncaught exceptions of a page: a hydration mismatch shows as one. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

const section = (page: Page) => page.locator("#poll-who-reads");

describe("three readers of one topic", () => {
  it("each sees their own answer and the results it opens, and nobody else's, with and without JavaScript", async () => {
    // An admin makes a topic whose question shows its results only after answering.
    const adminCtx = await h().context({ javaScript: true });
    const admin = await signUp(await adminCtx.newPage(), "chair");
    setRoleOf(h(), "chair", "admin");
    await admin.goto("/admin/topics/new");
    await admin.getByLabel("Title").fill("Who reads the license?");
    await admin.getByLabel("Slug").fill("who-reads");
    await admin.getByLabel("Summary (markdown)").fill("A topic for three readers.");
    await admin.getByRole("button", { name: "Create topic" }).click();
    await expect.poll(() => new URL(admin.url()).pathname, { message: "waited for the topic's admin page" }).toBe("/admin/topics/who-reads");
    await admin.getByRole("link", { name: "New poll" }).click();
    await admin.getByLabel("Question").fill("Who reads it?");
    await admin.getByLabel("Slug").fill("who-reads");
    await admin.getByLabel("Option 1").fill("Lawyers");
    await admin.getByLabel("Option 2").fill("Engineers");
    await admin.getByLabel("Results are shown").selectOption("after_vote");
    await admin.getByRole("button", { name: "Create poll" }).click();
    await expect.poll(() => new URL(admin.url()).pathname, { message: "waited for the poll's admin page" }).toMatch(/^\/admin\/polls\/\d+$/);

    // Two answer, with and without JavaScript; the third does not.
    const people: { name: string; answer: string | null; javaScript: boolean; ctx?: BrowserContext }[] = [
      { name: "reader_ann", answer: "Lawyers", javaScript: false },
      { name: "reader_ben", answer: "Engineers", javaScript: true },
      { name: "reader_cy", answer: null, javaScript: true },
    ];
    for (const p of people) {
      p.ctx = await h().context({ javaScript: p.javaScript });
      const page = await signUp(await p.ctx.newPage(), p.name, "/t/who-reads/p/who-reads");
      if (!p.answer) continue;
      await section(page).getByLabel(p.answer).check();
      await page.getByRole("button", { name: "Vote" }).click();
      await expect.poll(() => page.getByTestId("mine").textContent(), { message: `waited for ${p.name}'s answer` }).toContain(p.answer);
    }
    // An anonymous reader keeps the results page first, so the readers below are joined with it.
    const anonCtx = await h().context({ javaScript: false });
    const anon = await anonCtx.newPage();
    await anon.goto("/t/who-reads/results");
    await expect.poll(() => section(anon).locator("table").count(), { message: "waited for the public page" }).toBe(0);

    for (const p of people) {
      const page = await p.ctx!.newPage();
      const errors = watchErrors(page);
      for (const path of ["/t/who-reads/results", "/t/who-reads"]) {
        await page.goto(path);
        await expect.poll(() => page.getByTestId("whoami").allTextContents(), { message: `waited for ${p.name}'s header on ${path}` }).toEqual([p.name]);
        const html = await page.content();
        for (const other of people) if (other !== p) expect(html.includes(other.name), `${other.name} on ${p.name}'s ${path}`).toBe(false);
      }
      // The topic page: their own answer only.
      if (p.answer) expect(await page.getByTestId("mine").textContent()).toContain(p.answer);
      else expect(await page.getByTestId("mine").count()).toBe(0);
      // The results page: the counts open for those who answered, both answers counted.
      await page.goto("/t/who-reads/results");
      await expect.poll(() => section(page).locator("table").count(), { message: `waited for ${p.name}'s results` }).toBe(p.answer ? 1 : 0);
      if (p.answer) await expect.poll(() => page.getByTestId("voters-who-reads").textContent(), { message: "waited for the count" }).toBe("2 voters");
      else await expect.poll(() => section(page).textContent(), { message: "waited for the hidden results" }).toContain("Results show once you have answered.");
      if (p.javaScript) {
        // Hydrated with their own data: the live results connect, and a client-side visit away and back keeps their view.
        await expect.poll(() => page.getByTestId("live-state").textContent(), { message: "waited for hydration" }).toBe("updating live");
        await section(page).getByRole("link").first().click();
        await page.waitForURL(/\/p\/who-reads$/);
        await page.goBack();
        await page.waitForURL(/\/results$/);
        await expect.poll(() => section(page).locator("table").count(), { message: `waited for ${p.name}'s results after navigating back` }).toBe(p.answer ? 1 : 0);
        expect(errors, `${p.name}'s console`).toEqual([]);
      }
    }
    // Nothing personal reached the kept page.
    await anon.reload();
    expect(await anon.getByTestId("whoami").count()).toBe(0);
    expect(await section(anon).locator("table").count()).toBe(0);
  });
});
