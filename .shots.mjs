import { chromium } from "playwright-core";
const base = process.env.BASE ?? "http://127.0.0.1:3999";
const out = process.env.OUT ?? "/tmp/shots";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const jobs = JSON.parse(process.env.JOBS);
for (const j of jobs) {
  const ctx = await browser.newContext({ viewport: { width: j.w, height: j.h ?? 900 }, javaScriptEnabled: j.js ?? true, colorScheme: j.dark ? "dark" : "light" });
  const page = await ctx.newPage();
  if (j.login) {
    await page.goto(base + "/login");
    await page.getByLabel("Username").fill(j.login);
    await page.getByLabel("Password").fill("demo passphrase");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForTimeout(800);
  }
  await page.goto(base + j.path);
  if (j.act) await eval(j.act);
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${out}/${j.name}.png`, fullPage: j.full ?? false });
  await ctx.close();
}
await browser.close();
