import { describe, expect, it } from "vitest";
import { setRoleOf, signUp, useHarness } from "./harness";

// Issue 28 (C) in a real browser, with JavaScript: a brand-new account posts
// a comment with a link; it says it waits, lists it for its author alone,
// another reader never sees it; a moderator on a phone accepts it from the
// queue, and then everyone sees it.

const h = useHarness();
const T = "/t/llama-2-license";

describe("trust levels in a browser", () => {
  it("a new account's linked comment waits for a moderator, seen by its author alone, until accepted from the queue on a phone", async () => {
    const newCtx = await h().context();
    const newbie = await newCtx.newPage();
    const errors: string[] = [];
    newbie.on("pageerror", (e) => errors.push(e.message));
    await signUp(newbie, "fresh", T);
    await newbie.getByLabel("Add to the discussion").fill("The license text is mirrored at https://mirror.example/llama");
    await newbie.getByRole("button", { name: "Post comment" }).first().click();
    await expect.poll(() => newbie.getByRole("status").filter({ hasText: "waits for a moderator" }).count(), { message: "waited for the held notice" }).toBeGreaterThan(0);
    await expect.poll(() => newbie.getByTestId("waiting").count(), { message: "waited for the author's waiting list" }).toBe(1);
    // Not in the thread itself, even for its author: only in their list of what waits.
    expect(await newbie.locator(".comment-list.top", { hasText: "mirror.example" }).count()).toBe(0);

    const otherCtx = await h().context();
    const other = await otherCtx.newPage();
    await other.goto(T);
    expect(await other.locator("#discussion").textContent()).not.toContain("mirror.example");

    await signUp(await (await h().context()).newPage(), "warden");
    setRoleOf(h(), "warden", "moderator");
    const modCtx = await h().context();
    const mod = await modCtx.newPage();
    await mod.setViewportSize({ width: 390, height: 844 });
    await mod.goto("/login?redirectTo=/admin/reports");
    await mod.getByLabel("Username").fill("warden");
    await mod.getByLabel("Password").fill("a long passphrase");
    await mod.getByRole("button", { name: "Sign in" }).click();
    await mod.waitForURL(/\/admin\/reports/);
    const held = mod.getByTestId("held");
    await expect.poll(() => held.textContent(), { message: "waited for the held comment in the queue" }).toContain("mirror.example/llama");
    expect(await mod.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await held.getByRole("button", { name: "Accept" }).click();
    await expect.poll(() => mod.getByRole("status").first().textContent(), { message: "waited for the acceptance" }).toContain("Comment accepted");

    await other.goto(T);
    await expect.poll(() => other.locator("#discussion").textContent(), { message: "waited for the accepted comment" }).toContain("mirror.example/llama");
    await newbie.goto(T);
    expect(await newbie.getByTestId("waiting").count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
