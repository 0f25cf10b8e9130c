import { sql } from "drizzle-orm";
import { db } from "../../db/client";

export async function checkDatabase(): Promise<boolean> {
  try {
    const row = db().get<{ ok: number }>(sql`select 1 as ok`);
    return row?.ok === 1;
  } catch {
    return false;
  }
}
