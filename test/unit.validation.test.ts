import { describe, expect, it } from "vitest";
import { parseConfig } from "../app/config.server";
import { parseForm, safeRedirect } from "../app/lib/form.server";
import { loginSchema, passwordSchema, signupSchema, usernameSchema } from "../app/forms/account.server";

describe("username rules", () => {
  it.each([
    ["abc", "abc"],
    ["  Alice_99 ", "alice_99"],
    ["a-b_c", "a-b_c"],
    ["x".repeat(32), "x".repeat(32)],
  ])("accepts %j as %j", (input, out) => {
    expect(usernameSchema.parse(input)).toBe(out);
  });
  it.each(["ab", "x".repeat(33), "has space", "dot.name", "émile", "<script>", "", "a/b"])("rejects %j", (input) => {
    expect(usernameSchema.safeParse(input).success).toBe(false);
  });
});

describe("password rules", () => {
  it("needs 8 to 256 characters, no composition rules", () => {
    expect(passwordSchema.safeParse("zq7wkvb").success).toBe(false);
    expect(passwordSchema.safeParse("zq7wkvbx").success).toBe(true);
    expect(passwordSchema.safeParse("zzqqwwkkvvbb").success).toBe(true);
    expect(passwordSchema.safeParse("x".repeat(256)).success).toBe(true);
    expect(passwordSchema.safeParse("x".repeat(257)).success).toBe(false);
  });
  it.each(["12345678", "password", "Password1", "iloveyou", "sunshine", "football", "qwertyuiop"])("refuses the common password %j", (p) => {
    const r = passwordSchema.safeParse(p);
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0].message).toContain("10,000 most common");
  });
});

describe("parseForm", () => {
  it("names the field of each error and never echoes passwords", () => {
    const form = new FormData();
    form.set("username", "a");
    form.set("password", "short");
    const res = parseForm(signupSchema, form);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(Object.keys(res.errors).sort()).toEqual(["password", "username"]);
    expect(res.values).toEqual({ username: "a" });
  });
  it("refuses fields the form does not have (mass assignment)", () => {
    const form = new FormData();
    form.set("username", "alice");
    form.set("password", "long enough");
    form.set("role", "admin");
    const res = parseForm(loginSchema, form);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.errors.role).toBeDefined();
  });
});

describe("safeRedirect", () => {
  it.each([
    ["/t/llama-2-license", "/t/llama-2-license"],
    ["/t/x?y=1#z", "/t/x?y=1#z"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example/", "/"],
    ["javascript:alert(1)", "/"],
    ["", "/"],
    [undefined, "/"],
    ["/a\nb", "/"],
  ])("%j -> %j", (input, out) => {
    expect(safeRedirect(input)).toBe(out);
  });
});

describe("configuration", () => {
  it("has defaults", () => {
    const cfg = parseConfig({});
    expect(cfg.PORT).toBe(3000);
    expect(cfg.DATABASE_PATH).toBe("./data/pulse.db");
  });
  it("names the variable that is wrong", () => {
    expect(() => parseConfig({ PORT: "abc" })).toThrow(/PORT/);
    expect(() => parseConfig({ PORT: "70000" })).toThrow(/PORT/);
    expect(() => parseConfig({ NODE_ENV: "staging" })).toThrow(/NODE_ENV/);
  });
});
