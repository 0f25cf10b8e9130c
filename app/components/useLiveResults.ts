import { useEffect, useState } from "react";
import type { TopicResults } from "~/models/results.server";

/** Follows /t/:topic/results/stream while not paused; returns the newest aggregates. */
export function useLiveResults(topicSlug: string, paused: boolean) {
  const [live, setLive] = useState<TopicResults | null>(null);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (paused || typeof EventSource === "undefined") return;
    const es = new EventSource(`/t/${topicSlug}/results/stream`);
    es.addEventListener("open", () => setConnected(true));
    es.addEventListener("error", () => setConnected(false));
    es.addEventListener("results", (e) => {
      try {
        setLive(JSON.parse((e as MessageEvent<string>).data) as TopicResults);
      } catch {
        // ignore a malformed message; the next one replaces it
      }
    });
    return () => {
      es.close();
      setConnected(false);
    };
  }, [topicSlug, paused]);
  return { live, connected };
}
