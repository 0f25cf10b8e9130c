import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { NODE_TS } from "../helpers";
import { signUp, useHarness } from "./harness";

const h = useHarness();

function setRole(name: string, role: string) {
  const res = spawnSync(NODE_TS[0], [...NODE_TS[1], "scripts/user-role.ts", name, role], { env: { ...process.env, ...(h().dbFile.startsWith("postgres") ? { DATABASE_URL: h().dbFile } : { DATABASE_PATH: h().dbFile }) }, encoding: "utf8" });
  expect(res.status, res.stderr).toBe(0);
}

describe("running Pulse from the browser", () => {
  it("admin creates a topic with a poll; a member votes and comments; a moderator removes the comment and bans the member", async () => {
    const adminCtx = await h().context({ javaScript: true });
    const admin = await signUp(await adminCtx.newPage(), "boss");
    const modCtx = await h().context({ javaScript: false });
    const mod = await signUp(await modCtx.newPage(), "warden");
    const memberCtx = await h().context({ javaScript: true });
    const member = await signUp(await memberCtx.newPage(), "troll");
    setRole("boss", "admin");
    setRole("warden", "moderator");

    // Admin: a second topic with its own poll.
    await admin.goto("/admin");
    await expect.poll(() => new URL(admin.url()).pathname, { message: "waited for new URL(admin.url()).pathname" }).toBe("/admin/topics");
    await admin.getByRole("link", { name: "New topic" }).click();
    await admin.getByLabel("Title").fill("Should model weights count as source code?");
    await admin.getByLabel("Slug").fill("weights-as-source");
    await admin.getByLabel("Summary (markdown)").fill("A **second** debate.");
    await admin.getByRole("button", { name: "Preview" }).click();
    await expect.poll(() => admin.locator(".preview strong").textContent(), { message: "waited for admin.locator(\".preview strong\").textContent()" }).toBe("second");
    await admin.getByRole("button", { name: "Create topic" }).click();
    await expect.poll(() => new URL(admin.url()).pathname, { message: "waited for new URL(admin.url()).pathname" }).toBe("/admin/topics/weights-as-source");
    await admin.getByRole("link", { name: "New poll" }).click();
    await admin.getByLabel("Question").fill("Are weights source code?");
    await admin.getByLabel("Slug").fill("weights-poll");
    await admin.getByLabel("Option 1").fill("Yes");
    await admin.getByLabel("Option 2").fill("No");
    await admin.getByRole("button", { name: "Create poll" }).click();
    await expect.poll(() => new URL(admin.url()).pathname, { message: "waited for new URL(admin.url()).pathname" }).toMatch(/^\/admin\/polls\/\d+$/);

    // Member votes and comments in the new topic.
    await member.goto("/t/weights-as-source/p/weights-poll");
    await member.locator("#poll-weights-poll").getByLabel("No").check();
    await member.getByRole("button", { name: "Vote" }).click();
    await expect.poll(() => member.getByTestId("mine").count(), { message: "waited for member.getByTestId(\"mine\").count()" }).toBe(1);
    await expect.poll(() => member.locator("#poll-weights-poll").getByRole("status").textContent(), { message: "waited for member.locator(\"#poll-weights-poll\").getByRole(\"status\").textContent()" }).toContain("Your answer was recorded.");
    await member.getByLabel("Add to the discussion").fill("You are all idiots.");
    await member.getByRole("button", { name: "Post comment" }).click();
    await expect.poll(() => member.getByText("You are all idiots.").count(), { message: "waited for member.getByText(\"You are all idiots.\").count()" }).toBe(1);

    // Moderator (JavaScript off) removes the comment from the thread and bans the member.
    await mod.goto("/t/weights-as-source/p/weights-poll");
    const item = mod.locator("li.comment").first();
    await item.locator("summary", { hasText: "Remove" }).click();
    await item.getByLabel("Reason").fill("personal attack");
    await item.getByRole("button", { name: "Remove comment" }).click();
    await expect.poll(() => mod.locator(".comment-body.gone").first().textContent(), { message: "waited for mod.locator(\".comment-body.gone\").first().textContent()" }).toBe("[removed by a moderator]");
    await mod.goto("/admin/users?q=troll");
    const row = mod.getByTestId("user-troll");
    await row.getByLabel("Reason for troll").fill("abuse");
    // A ban is asked for twice: open it, then confirm.
    await row.locator("summary", { hasText: "Ban…" }).click();
    await row.getByLabel("withdraw votes").check();
    await row.getByRole("button", { name: "Ban troll" }).click();
    await expect.poll(() => mod.getByTestId("user-troll").locator(".badge").textContent(), { message: "waited for mod.getByTestId(\"user-troll\").locator(\".badge\").textContent()" }).toBe("banned");
    // And it says what it did.
    await expect.poll(() => mod.getByRole("status").first().textContent(), { message: "waited for the ban's confirmation" }).toContain("troll is banned");

    // The member's next request is anonymous; the vote is gone; the log shows it all.
    await member.reload();
    await expect.poll(async () => member.getByTestId("whoami").count(), { message: "waited for member.getByTestId(\"whoami\").count()" }).toBe(0);
    await expect.poll(async () => member.getByText("You are all idiots.").count(), { message: "waited for member.getByText(\"You are all idiots.\").count()" }).toBe(0);
    await mod.goto("/admin/log");
    // Names, not ids; what happened in words; details as labelled values, not JSON.
    const actions = (await mod.getByTestId("log-entry").locator("td:nth-child(2)").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
    expect(actions).toEqual(
      expect.arrayContaining([
        "warden banned troll votes withdrawn: 1",
        "warden removed a comment comment " + actions.find((a) => a.startsWith("warden removed a comment comment "))?.split(" ").pop(),
        "boss created the poll Are weights source code? slug: weights-poll",
        "boss created the topic Should model weights count as source code? slug: weights-as-source",
      ]),
    );
    expect(actions.join(" ")).not.toMatch(/[{}"]/);
    const results = await (await member.request.get("/t/weights-as-source/results.json")).json();
    expect(results.polls[0].voters).toBe(0);
    for (const c of [adminCtx, modCtx, memberCtx]) await c.close();
  });
});
