import { describe, expect, it } from "vitest";
import { waitText } from "../app/lib/format";

describe("waits as people say them", () => {
  it("rounds up to the unit a person would use, never sooner than true", () => {
    expect(waitText(0.2)).toBe("in 1 second");
    expect(waitText(40)).toBe("in 40 seconds");
    expect(waitText(60)).toBe("in 1 minute");
    expect(waitText(61)).toBe("in 2 minutes");
    expect(waitText(4 * 60 - 5)).toBe("in 4 minutes");
    expect(waitText(3597)).toBe("in 1 hour");
    expect(waitText(86001)).toBe("in 24 hours");
    expect(waitText(23 * 3600 - 30)).toBe("in 23 hours");
    expect(waitText(3 * 86400)).toBe("in 3 days");
  });
});
