import { getPoll, getPollsOfTopic } from "./polls.server";
import { getTopicBySlug } from "./topics.server";

// Page-shaped reads: what a route needs, in one call, so routes stay thin.

export async function getTopicPage(slug: string) {
  const topic = await getTopicBySlug(slug);
  if (!topic) return null;
  const polls = await getPollsOfTopic(topic.id);
  return {
    topic: {
      id: topic.id,
      slug: topic.slug,
      title: topic.title,
      summaryHtml: topic.summaryHtml,
      sourceUrl: topic.sourceUrl,
      locked: topic.locked,
    },
    polls,
  };
}

export async function getPollPage(topicSlug: string, pollSlug: string) {
  const topic = await getTopicBySlug(topicSlug);
  if (!topic) return null;
  const poll = await getPoll(topic.id, pollSlug);
  if (!poll) return null;
  return { topic: { id: topic.id, slug: topic.slug, title: topic.title, locked: topic.locked }, poll };
}
