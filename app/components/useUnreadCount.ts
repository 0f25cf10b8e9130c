import { useEffect, useState } from "react";

/** The unread count from the page, then live from /notifications/stream while the page is visible. */
export function useUnreadCount(initial: number, signedIn: boolean): number {
  const [count, setCount] = useState(initial);
  useEffect(() => setCount(initial), [initial]);
  useEffect(() => {
    if (!signedIn || typeof EventSource === "undefined") return;
    let es: EventSource | null = null;
    const start = () => {
      if (es || document.visibilityState !== "visible") return;
      es = new EventSource("/notifications/stream");
      es.addEventListener("unread", (e) => {
        const n = Number((e as MessageEvent<string>).data);
        if (Number.isInteger(n) && n >= 0) setCount(n);
      });
    };
    const stop = () => {
      es?.close();
      es = null;
    };
    // A hidden tab holds no connection: it catches up when shown again.
    const onVisibility = () => (document.visibilityState === "visible" ? start() : stop());
    start();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      stop();
    };
  }, [signedIn]);
  return count;
}
