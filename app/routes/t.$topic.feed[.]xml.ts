import type { LoaderFunctionArgs } from "@remix-run/node";
import { Feed } from "feed";
import { textExcerpt } from "~/lib/markdown.server";
import { getTopicFeed } from "~/models/pages.server";
import { invariantResponse } from "~/lib/http.server";

const openingWords = (html: string) => textExcerpt(html, 80) || "(no text)";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const data = await getTopicFeed(params.topic ?? "");
  invariantResponse(data, "Topic not found");
  const origin = new URL(request.url).origin;
  const topicUrl = `${origin}/t/${data.topic.slug}`;
  const feed = new Feed({
    title: `${data.topic.title} — newest comments on Pulse`,
    description: `The newest comments in the discussion of "${data.topic.title}".`,
    id: topicUrl,
    link: topicUrl,
    language: "en",
    copyright: "Comments belong to their authors.",
    updated: data.comments[0] ? new Date(data.comments[0].createdAt) : new Date(0),
    feedLinks: { rss: `${topicUrl}/feed.xml` },
  });
  for (const c of data.comments) {
    const link = `${origin}/c/${c.id}`;
    feed.addItem({
      // What the comment says, and where: the author is in dc:creator.
      title: `${openingWords(c.bodyHtml)} — ${c.pollQuestion ? `on "${c.pollQuestion}"` : `in "${data.topic.title}"`}`,
      id: link,
      link,
      content: c.bodyHtml,
      // RSS 2.0's <author> must be an e-mail address, which Pulse never has: the name goes in Dublin Core's creator.
      extensions: [{ name: "dc:creator", objects: { _text: c.author } }],
      date: new Date(c.createdAt),
    });
  }
  return new Response(feed.rss2(), {
    headers: { "Content-Type": "application/rss+xml; charset=utf-8", "Cache-Control": "public, max-age=60" },
  });
}
