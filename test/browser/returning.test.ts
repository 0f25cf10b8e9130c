import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { setRoleOf, useHarness } from "./harness";

// Issue 13's loop: A mentions B in a reply; B sees the unread count, opens
// the notification onto the comment, searches for a word of it, opens A's
// profile, loses the password and gets back in with a recovery code.

const comment = (page: Page, text: string) =>
  page.locator("li.comment > article", { has: page.locator(".comment-body", { hasText: text }) }).first().locator("xpath=..");

async function signUpKeepingCodes(page: Page, name: string): Promise<string[]> {
  await page.goto("/signup?redirectTo=%2Ft%2Fllama-2-license");
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill("a long passphrase");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect.poll(() => page.getByTestId("recovery-codes").getByRole("listitem").count(), { message: "waited for page.getByTestId(\"recovery-codes\").getByRole(\"listitem\").count()" }).toBe(10);
  const codes = await page.getByTestId("recovery-codes").getByRole("listitem").allTextContents();
  await page.getByRole("link", { name: "Continue" }).click();
  await expect.poll(() => new URL(page.url()).pathname, { message: "waited for new URL(page.url()).pathname" }).toBe("/t/llama-2-license");
  return codes;
}

describe.each([
  ["JavaScript on", true],
  ["JavaScript off", false],
])("coming back with %s", (_label, javaScript) => {
  const h = useHarness();

  it("a mention brings B back: unread count, the comment, search, A's profile, and a recovery code", async () => {
    const ctxA = await h().context({ javaScript });
    const ctxB = await h().context({ javaScript });
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const errors: string[] = [];
    for (const p of [a, b]) {
      p.on("pageerror", (e) => errors.push(`${p.url()}: ${e.message}`));
      p.on("console", (m) => m.type() === "error" && !m.text().includes("status of 4") && errors.push(m.text()));
    }
    const A = javaScript ? "alice" : "alice_nojs";
    const B = javaScript ? "bruno" : "bruno_nojs";
    const word = javaScript ? "wombat" : "quokka";
    await signUpKeepingCodes(a, A);
    const codes = await signUpKeepingCodes(b, B);

    // B starts a thread; A replies, mentioning B.
    await b.getByLabel("Add to the discussion").fill(`Is clause 1(v) enforceable at all? (${B})`);
    await b.getByRole("button", { name: "Post comment" }).first().click();
    await expect.poll(() => comment(b, `enforceable at all? (${B})`).count(), { message: "waited for comment(b, `enforceable at all? (${B})`).count()" }).toBe(1);
    await expect.poll(async () => b.getByTestId("unread-count").count(), { message: "waited for b.getByTestId(\"unread-count\").count()" }).toBe(0);

    await a.reload();
    const target = comment(a, `enforceable at all? (${B})`);
    await target.locator("summary", { hasText: "Reply" }).first().click();
    await target.getByLabel(`Reply to ${B}`).fill(`@${B} it binds anyone who accepts the license, ${word} or not.`);
    await target.getByRole("button", { name: "Reply", exact: true }).click();
    await expect.poll(() => comment(a, `${word} or not`).count(), { message: "waited for comment(a, `${word} or not`).count()" }).toBe(1);

    // B sees the count: live with JavaScript (no reload), on the next page without.
    if (!javaScript) await b.reload();
    await expect.poll(() => b.getByTestId("unread-count").textContent(), { message: "waited for b.getByTestId(\"unread-count\").textContent()" }).toBe("1 unread");
    await b.getByTestId("inbox-link").click();
    await expect.poll(() => new URL(b.url()).pathname, { message: "waited for new URL(b.url()).pathname" }).toBe("/notifications");
    await b.getByRole("button", { name: `${A} replied to your comment in` }).click();
    await expect.poll(() => new URL(b.url()).pathname, { message: "waited for new URL(b.url()).pathname" }).toMatch(/^\/c\/\d+$/);
    await expect.poll(() => b.locator("li.comment.highlight .comment-body").first().textContent(), { message: "waited for b.locator(\"li.comment.highlight .comment-body\").first().textContent()" }).toContain(`${word} or not`);
    // The mention links to B's profile; the notification is read now.
    await expect.poll(async () => b.locator("li.comment.highlight .comment-body a", { hasText: `@${B}` }).getAttribute("href"), { message: "waited for b.locator(\"li.comment.highlight .comment-body a\", { hasText: `@${B}` }).getAttribute(..." }).toBe(`/u/${B}`);
    await expect.poll(() => b.getByTestId("unread-count").count(), { message: "waited for b.getByTestId(\"unread-count\").count()" }).toBe(0);

    // B searches from the header for a word of A's reply.
    await b.getByRole("searchbox", { name: "Search Pulse" }).fill(word);
    await b.getByRole("searchbox", { name: "Search Pulse" }).press("Enter");
    await expect.poll(() => new URL(b.url()).pathname, { message: "waited for new URL(b.url()).pathname" }).toBe("/search");
    const hit = b.locator(".search-results li").first();
    await expect.poll(() => hit.locator("mark").first().textContent(), { message: "waited for hit.locator(\"mark\").first().textContent()" }).toBe(word);
    // ...and opens A's profile from the result.
    await hit.getByRole("link", { name: A, exact: true }).click();
    await expect.poll(() => b.getByRole("heading", { level: 1 }).textContent(), { message: "waited for b.getByRole(\"heading\", { level: 1 }).textContent()" }).toBe(A);
    await expect.poll(async () => b.getByText(`${word} or not`).count(), { message: "waited for b.getByText(`${word} or not`).count()" }).toBe(1);

    // B forgets the password: signs out, and comes back with a recovery code.
    await b.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => b.getByTestId("whoami").count(), { message: "waited for b.getByTestId(\"whoami\").count()" }).toBe(0);
    await b.goto("/login");
    await b.getByRole("link", { name: "Forgot your password?" }).click();
    // The sign-in form has a Username field too: wait until the page is the recovery one.
    await expect.poll(() => b.getByRole("heading", { level: 1 }).textContent(), { message: "waited for b.getByRole(\"heading\", { level: 1 }).textContent()" }).toBe("Recover your account");
    await b.getByLabel("Username").fill(B);
    await b.getByLabel("Recovery code").fill(codes[2]);
    await b.getByLabel("New password").fill("a fresh passphrase");
    await b.getByRole("button", { name: "Set the new password" }).click();
    await expect.poll(() => b.getByTestId("whoami").textContent(), { message: "waited for b.getByTestId(\"whoami\").textContent()" }).toBe(B);
    await expect.poll(() => b.getByText("You are back in").count(), { message: "waited for b.getByText(\"You are back in\").count()" }).toBe(1);
    await expect.poll(async () => b.getByText("9 recovery codes left").count(), { message: "waited for b.getByText(\"9 recovery codes left\").count()" }).toBe(1);
    // The same code does not work twice.
    await b.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect.poll(() => b.getByTestId("whoami").count(), { message: "waited for b.getByTestId(\"whoami\").count()" }).toBe(0);
    await b.goto("/recover");
    await b.getByLabel("Username").fill(B);
    await b.getByLabel("Recovery code").fill(codes[2]);
    await b.getByLabel("New password").fill("yet another passphrase");
    await b.getByRole("button", { name: "Set the new password" }).click();
    await expect.poll(() => b.getByRole("alert").first().textContent(), { message: "waited for b.getByRole(\"alert\").first().textContent()" }).toContain("do not match an unused code");

    expect(errors).toEqual([]);
    await ctxA.close();
    await ctxB.close();
  });
});

describe.each([
  ["JavaScript on", true],
  ["JavaScript off", false],
])("following and reading with %s", (_label, javaScript) => {
  const h = useHarness();

  it("follow a topic, see what is new, read an edit as a diff, and get back in by an admin's reset link", async () => {
    const ctxA = await h().context({ javaScript });
    const ctxB = await h().context({ javaScript });
    const ctxC = await h().context({ javaScript });
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const admin = await ctxC.newPage();
    const errors: string[] = [];
    for (const p of [a, b, admin]) {
      p.on("pageerror", (e) => errors.push(`${p.url()}: ${e.message}`));
      p.on("console", (m) => m.type() === "error" && !m.text().includes("status of 4") && errors.push(m.text()));
    }
    const suffix = javaScript ? "js" : "nojs";
    await signUpKeepingCodes(a, `writer_${suffix}`);
    await signUpKeepingCodes(b, `follower_${suffix}`);
    await signUpKeepingCodes(admin, `keeper_${suffix}`);
    setRoleOf(h(), `keeper_${suffix}`, "admin");

    // B follows the topic (privately) and has visited it.
    await b.getByRole("button", { name: "Follow" }).click();
    await expect.poll(() => b.getByText("You follow this topic").count(), { message: "waited for b.getByText(\"You follow this topic\").count()" }).toBe(1);

    // A posts twice and edits one.
    await a.reload();
    for (const text of [`First news (${suffix}).`, `Second news (${suffix}), unedited.`]) {
      await a.getByLabel("Add to the discussion").fill(text);
      await a.getByRole("button", { name: "Post comment" }).first().click();
      await expect.poll(() => comment(a, text.slice(0, 12)).count(), { message: "waited for comment(a, text.slice(0, 12)).count()" }).toBe(1);
      // Comments are paced: one every five seconds per person, counted from
      // when the server stored this one, which was before now.
      const postedBy = Date.now();
      await expect.poll(() => Date.now() - postedBy, { message: "waited for the five-second comment pace to pass", interval: 250 }).toBeGreaterThan(5_100);
      if (!javaScript) await a.goto("/t/llama-2-license");
    }
    const mine = comment(a, `Second news (${suffix})`);
    await mine.locator("summary", { hasText: "Edit" }).first().click();
    await mine.getByLabel("Edit your comment").fill(`Second news (${suffix}), now edited.`);
    await mine.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => comment(a, "now edited").count(), { message: "waited for comment(a, \"now edited\").count()" }).toBe(1);

    // B: two notices fold into one line; the topic marks both comments new.
    await b.goto("/notifications");
    await expect.poll(() => b.getByRole("button", { name: /2 new comments in/ }).count(), { message: "waited for b.getByRole(\"link\", { name: /2 new comments in/ }).count()" }).toBe(1);
    await b.getByRole("button", { name: /2 new comments in/ }).click();
    await expect.poll(() => new URL(b.url()).pathname, { message: "waited for new URL(b.url()).pathname" }).toBe("/t/llama-2-license");
    await expect.poll(() => b.locator("li.comment.new").count(), { message: "waited for b.locator(\"li.comment.new\").count()" }).toBe(2);
    expect(await comment(b, `First news (${suffix})`).locator(".new-badge").textContent()).toBe("new");

    // The edit history shows what changed, word by word.
    await comment(b, "now edited").getByRole("link", { name: /edited/ }).first().click();
    await expect.poll(() => b.locator(".diff del").first().textContent(), { message: "waited for b.locator(\".diff del\").first().textContent()" }).toContain("unedited");
    await expect.poll(async () => b.locator(".diff ins").first().textContent(), { message: "waited for b.locator(\".diff ins\").first().textContent()" }).toContain("edited");

    // The admin issues B a reset link; B, signed out, sets a new password with it.
    await admin.goto(`/admin/users?q=follower_${suffix}`);
    await admin.getByRole("button", { name: `Reset link for follower_${suffix}` }).click();
    const link = (await admin.getByTestId("reset-link").textContent()) ?? "";
    expect(link).toMatch(/\/reset\/[A-Za-z0-9_-]{32}$/);
    await b.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect.poll(() => b.getByTestId("whoami").count(), { message: "waited for b.getByTestId(\"whoami\").count()" }).toBe(0);
    await b.goto(new URL(link).pathname);
    await b.getByLabel("New password").fill("a passphrase from the admin's link");
    await b.getByRole("button", { name: "Set the new password" }).click();
    await expect.poll(() => b.getByTestId("whoami").textContent(), { message: "waited for b.getByTestId(\"whoami\").textContent()" }).toBe(`follower_${suffix}`);
    // The link works once.
    await b.goto(new URL(link).pathname);
    await expect.poll(async () => b.getByText("This reset link is not valid").count(), { message: "waited for b.getByText(\"This reset link is not valid\").count()" }).toBeGreaterThan(0);

    expect(errors.filter((e) => !e.includes("404"))).toEqual([]);
    for (const c of [ctxA, ctxB, ctxC]) await c.close();
  });
});
