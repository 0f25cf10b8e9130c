import { describe, expect, it } from "vitest";
import { scriptWeight } from "./bench/scripts";

// The browser build (npm test builds first): no page pays for an empty
// stand-in of a .server module (issue 23, decision 022).
describe("the browser build", () => {
  it("loads no empty .server stand-in chunk on any page", async () => {
    for (const route of ["routes/t.$topic._index", "routes/t.$topic.p.$poll", "routes/t.$topic.results", "routes/_index", "routes/settings"]) {
      const w = await scriptWeight(route);
      expect(w.page.empty, route).toBe(0);
    }
    // The topic page: Remix's entry, its chunks, the root and the route; not eighteen requests. The
    // thirteenth is the slot component (issue 26), shared by the root and the results page. The
    // embed and present pages (issue 27) share the poll card and its hooks with it, which esbuild's
    // splitting answers with two more small shared chunks (the role check, useHydrated).
    expect((await scriptWeight()).page.files).toBeLessThanOrEqual(15);
  });
});
