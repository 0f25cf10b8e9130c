import { describe, expect, it } from "vitest";
import { renderMarkdown, sanitize } from "../app/lib/markdown.server";

describe("markdown", () => {
  it("renders the allowed subset", () => {
    const html = renderMarkdown("Hello *world* and **you**\n\n- a\n- b\n\n> quote\n\n`code`");
    expect(html).toContain("<em>world</em>");
    expect(html).toContain("<strong>you</strong>");
    expect(html).toContain("<li>a</li>");
    expect(html).toContain("<blockquote>");
    expect(html).toContain("<code>code</code>");
  });
  it("marks links as user content", () => {
    expect(renderMarkdown("[x](https://example.com)")).toBe(
      '<p><a href="https://example.com" rel="nofollow ugc noopener">x</a></p>',
    );
  });
  it("shows raw HTML as text", () => {
    const html = renderMarkdown("<script>alert(1)</script><b onclick=x>hi</b>");
    expect(html).not.toMatch(/<script|<b /);
    expect(html).toContain("&lt;script&gt;");
  });
  it("drops dangerous URLs and images", () => {
    const html = renderMarkdown("[a](javascript:alert(1)) [b](data:text/html,x) ![img](https://example.com/p.png)");
    expect(html).not.toMatch(/javascript:|data:|<img/);
  });
  it("is idempotent", () => {
    const once = renderMarkdown("*a* <i>b</i> [c](http://x.example)");
    expect(sanitize(once)).toBe(once);
  });
});
