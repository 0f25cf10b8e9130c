import { describe, expect, it } from "vitest";
import { useHarness } from "./harness";

const h = useHarness();

describe.each([
  ["JavaScript on", true],
  ["JavaScript off", false],
])("accounts with %s", (_label, javaScript) => {
  const name = javaScript ? "js_user" : "nojs_user";

  it("signs up, sees the topic, signs out and signs in again", async () => {
    const ctx = await h().context({ javaScript });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      // A 400 for the wrong password is expected; anything else is a bug.
      if (m.type() === "error" && !m.text().includes("status of 400")) errors.push(m.text());
    });

    await page.goto("/");
    await page.getByRole("link", { name: "Sign up" }).click();
    await page.getByLabel("Username").fill(name);
    await page.getByLabel("Password").fill("a long passphrase");
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect.poll(() => page.getByTestId("whoami").textContent(), { message: "waited for page.getByTestId(\"whoami\").textContent()" }).toBe(name);
    // Sign-up shows ten recovery codes once, then goes on.
    await expect.poll(() => page.getByTestId("recovery-codes").getByRole("listitem").count(), { message: "waited for page.getByTestId(\"recovery-codes\").getByRole(\"listitem\").count()" }).toBe(10);
    // On a phone no code breaks across lines (issue 23, newcomer 6): each is one line high.
    await page.setViewportSize({ width: 390, height: 800 });
    const lines = await page.getByTestId("recovery-codes").getByRole("listitem").evaluateAll((items) =>
      items.map((li) => li.getBoundingClientRect().height / parseFloat(getComputedStyle(li).lineHeight === "normal" ? getComputedStyle(li).fontSize : getComputedStyle(li).lineHeight)),
    );
    for (const l of lines) expect(l).toBeLessThan(1.6);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.getByRole("link", { name: "Continue" }).click();
    await expect.poll(() => new URL(page.url()).pathname, { message: "waited for new URL(page.url()).pathname" }).toBe("/");

    // A newcomer takes the first step the home page offers (issue 23).
    await page.getByRole("link", { name: /^Open "Is Meta.s LLAMA-2 license/ }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent(), { message: "waited for page.getByRole(\"heading\", { level: 1 }).textContent()" }).toContain("LLAMA-2");
    await expect.poll(async () => page.getByRole("link", { name: "Will Meta change the license for LLAMA-3?" }).count(), { message: "waited for page.getByRole(\"link\", { name: \"Will Meta change the license for LLAMA-3?\" }).count()" }).toBe(1);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Sign in", exact: true }).count(), { message: "waited for page.getByRole(\"navigation\", { name: \"Account\" }).getByRole(\"link\", { name: \"Sign in\", exact: true }).count()" }).toBe(1);
    await expect.poll(async () => page.getByTestId("whoami").count(), { message: "waited for page.getByTestId(\"whoami\").count()" }).toBe(0);

    // A wrong password keeps the username and says so.
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Sign in", exact: true }).click();
    await page.getByLabel("Username").fill(name);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent(), { message: "waited for page.getByRole(\"alert\").first().textContent()" }).toContain("Wrong username or password");
    expect(await page.getByLabel("Username").inputValue()).toBe(name);

    await page.getByLabel("Password").fill("a long passphrase");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByTestId("whoami").textContent(), { message: "waited for page.getByTestId(\"whoami\").textContent()" }).toBe(name);
    // Signing in from the topic page brought us back to it.
    expect(new URL(page.url()).pathname).toBe("/t/llama-2-license");

    expect(errors).toEqual([]);
    await ctx.close();
  });
});
