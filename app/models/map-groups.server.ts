import { eq } from "drizzle-orm";
import { db } from "../../db/client";
import { opinionMaps } from "../../db/schema";

/**
 * The last opinion map's groups of a topic: who is in which (people the map
 * publishes: a group's index, or -1 for "others") and the groups' names, in
 * order. Empty before the first map. Never leaves the server as it is: pages
 * show only figures about MIN_GROUP people or more.
 */
export async function mapGroups(topicId: number): Promise<{ groupOf: Map<string, number>; names: string[] }> {
  const [snap] = await db().select({ data: opinionMaps.data, members: opinionMaps.members }).from(opinionMaps).where(eq(opinionMaps.topicId, topicId));
  if (!snap) return { groupOf: new Map(), names: [] };
  const members = JSON.parse(snap.members) as Record<string, [number, number, number]>;
  const names = (JSON.parse(snap.data) as { groups: { name: string }[] }).groups.map((g) => g.name);
  return { groupOf: new Map(Object.entries(members).map(([u, m]) => [u, m[2]])), names };
}
