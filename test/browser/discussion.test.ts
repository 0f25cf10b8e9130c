import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { signUp, useHarness } from "./harness";

// The <li> of the comment whose own body says `text` (articles do not nest; replies sit beside them).
const comment = (page: Page, text: string) =>
  page.locator("li.comment > article", { has: page.locator(".comment-body", { hasText: text }) }).first().locator("xpath=..");

describe.each([
  ["JavaScript on", true],
  ["JavaScript off", false],
])("discussion with %s", (_label, javaScript) => {
  // About the discussion, not trust levels (test/browser/trust.test.ts): an account is a member from its first comment, so its links are not held.
  const h = useHarness({ NEW_ACCOUNT_HOURS: "0", NEW_ACCOUNT_ACCEPTED: "0" });

  it("two people argue under a question: post, reply, vote, sort, collapse, edit, delete, link", async () => {
    const ctxA = await h().context({ javaScript });
    const ctxB = await h().context({ javaScript });
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const errors: string[] = [];
    for (const p of [a, b]) {
      p.on("pageerror", (e) => errors.push(e.message));
      p.on("console", (m) => m.type() === "error" && !m.text().includes("status of 4") && errors.push(m.text()));
    }
    await signUp(a, "alice", "/t/llama-2-license/p/license-opinion");
    await signUp(b, "bruno", "/t/llama-2-license/p/license-opinion");

    // Alice answers, then comments with her answer as stance: offered first, one click away, never pre-set.
    await a.locator("#poll-license-opinion").getByLabel("Not open source, but open enough for my use").check();
    await a.locator("#poll-license-opinion").getByRole("button", { name: "Vote" }).click();
    await expect.poll(() => a.getByTestId("mine").count(), { message: "waited for a.getByTestId(\"mine\").count()" }).toBe(1);
    // "mine" shows at once (optimistic); the status line waits for the server.
    await expect.poll(() => a.locator("#poll-license-opinion").getByRole("status").textContent(), { message: "waited for a.locator(\"#poll-license-opinion\").getByRole(\"status\").textContent()" }).toContain("Your answer was recorded.");
    await a.reload();
    const stance = a.getByRole("group", { name: "Your stance (optional)" }).first();
    expect(await stance.getByLabel("No stance").isChecked()).toBe(true);
    const offered = stance.getByRole("radio").nth(1);
    expect(await offered.isChecked()).toBe(false);
    await expect.poll(async () => stance.locator("li").nth(1).textContent(), { message: "waited for stance.locator(\"li\").nth(1).textContent()" }).toBe(" Not open source, but open enough for my useyour answer");
    await offered.check();
    await a.getByLabel("Add to the discussion").fill("Open *enough* for me: I only run it [locally](https://example.com).");
    // Preview first.
    await a.getByRole("button", { name: "Preview" }).first().click();
    await expect.poll(() => a.locator(".preview em").first().textContent(), { message: "waited for a.locator(\".preview em\").first().textContent()" }).toBe("enough");
    await a.getByRole("button", { name: "Post comment" }).first().click();
    await expect.poll(() => comment(a, "I only run it").count(), { message: "waited for comment(a, \"I only run it\").count()" }).toBe(1);
    // With JavaScript the focus lands on the confirmation, which links to the new comment.
    if (javaScript) await expect.poll(() => a.evaluate(() => document.activeElement?.textContent ?? ""), { message: "waited for a.evaluate(() => document.activeElement?.textContent ?? \"\")" }).toContain("Posted.");
    expect(await comment(a, "I only run it").locator(".stance").textContent()).toBe("Not open source, but open enough for my use");
    expect(await comment(a, "I only run it").locator("a[href='https://example.com']").getAttribute("rel")).toBe("nofollow ugc noopener");

    // Bruno replies and upvotes.
    await b.reload();
    const target = comment(b, "I only run it");
    await target.locator("summary", { hasText: "Reply" }).first().click();
    await target.getByLabel("Reply to alice").fill("Clause 1(v) still bites you if you distil.");
    await target.getByRole("button", { name: "Reply", exact: true }).click();
    await expect.poll(() => comment(b, "still bites you").count(), { message: "waited for comment(b, \"still bites you\").count()" }).toBe(1);
    if (!javaScript) await b.goto("/t/llama-2-license/p/license-opinion");
    await comment(b, "I only run it").getByRole("button", { name: "Upvote" }).first().click();
    await expect.poll(() => comment(b, "I only run it").locator(".score").first().textContent(), { message: "waited for comment(b, \"I only run it\").locator(\".score\").first().textContent()" }).toBe("Score 1");
    expect(await comment(b, "I only run it").getByRole("button", { name: "Upvote" }).first().getAttribute("aria-pressed")).toBe("true");

    // Alice cannot vote on her own comment; she sees the reply, sorts, collapses.
    await a.goto("/t/llama-2-license/p/license-opinion");
    // Her own comment shows its score as text, with nothing to press.
    expect(await comment(a, "I only run it").locator(".votes").first().getByRole("button").count()).toBe(0);
    // Bruno's score above is optimistic: his vote may still be on its way to the server.
    await expect
      .poll(async () => {
        await a.reload();
        return comment(a, "I only run it").locator(".score").first().textContent();
      }, { message: "waited for Bruno's upvote to reach Alice's page" })
      .toBe("1 point");
    await a.getByRole("link", { name: "New", exact: true }).click();
    await expect.poll(() => new URL(a.url()).searchParams.get("sort"), { message: "waited for new URL(a.url()).searchParams.get(\"sort\")" }).toBe("new");
    const replies = comment(a, "I only run it").locator("details.replies").first();
    await expect.poll(async () => replies.getAttribute("open"), { message: "waited for replies.getAttribute(\"open\")" }).toBe("");
    await replies.locator("summary").first().click();
    await expect.poll(() => replies.getAttribute("open"), { message: "waited for replies.getAttribute(\"open\")" }).toBeNull();
    expect(await comment(a, "still bites you").isVisible()).toBe(false);
    await replies.locator("summary").first().click();

    // Alice edits; the history shows both versions.
    const mine = comment(a, "I only run it");
    await mine.locator("summary", { hasText: "Edit" }).first().click();
    await mine.getByLabel("Edit your comment").fill("Open enough for me: I only run it locally. (Edited: distillation is a fair point.)");
    await mine.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => comment(a, "fair point").count(), { message: "waited for comment(a, \"fair point\").count()" }).toBe(1);
    await comment(a, "fair point").getByRole("link", { name: /edited/ }).first().click();
    await expect.poll(() => a.getByRole("heading", { name: "Edit history" }).count(), { message: "waited for a.getByRole(\"heading\", { name: \"Edit history\" }).count()" }).toBe(1);
    await expect.poll(async () => a.locator(".revisions li").count(), { message: "waited for a.locator(\".revisions li\").count()" }).toBe(2);

    // Bruno links to his reply; then deletes it.
    await b.goto("/t/llama-2-license/p/license-opinion");
    await comment(b, "still bites you").locator("a.permalink").click();
    await expect.poll(() => new URL(b.url()).pathname, { message: "waited for new URL(b.url()).pathname" }).toMatch(/^\/c\/\d+$/);
    await expect.poll(async () => b.locator("li.comment.highlight .comment-body").textContent(), { message: "waited for b.locator(\"li.comment.highlight .comment-body\").textContent()" }).toContain("still bites you");
    const own = b.locator("li.comment.highlight").first();
    await own.locator("summary", { hasText: "Delete" }).click();
    await own.getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => b.locator("li.comment .comment-body.gone").count(), { message: "waited for b.locator(\"li.comment .comment-body.gone\").count()" }).toBeGreaterThan(0);
    await a.goto("/t/llama-2-license/p/license-opinion");
    expect(await a.content()).not.toContain("still bites you");
    // A deleted reply that held no replies leaves no placeholder in the thread (issue 23); its permalink still says [deleted].
    await expect.poll(async () => a.locator(".comment-body.gone").count(), { message: "waited for a.locator(\".comment-body.gone\").count()" }).toBe(0);

    expect(errors).toEqual([]);
    await ctxA.close();
    await ctxB.close();
  });
});
