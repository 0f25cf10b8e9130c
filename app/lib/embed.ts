/** The framing site's origin, as /embed.js passes it (`?host=`), if EMBED_ORIGINS allows it: the only origin an embed tells its height to. */
export function parentOriginOf(url: URL, allowed: readonly string[]): string | null {
  const host = url.searchParams.get("host");
  return host && allowed.includes(host) ? host : null;
}

/**
 * /embed.js (issue 27): turns `<div data-pulse-poll="topic/poll">` and
 * `<div data-pulse-results="topic">` into frames of Pulse's embed pages, and
 * sets each frame's height from its messages. A message counts only from
 * Pulse's origin and from that frame's own window; the frame, for its part,
 * posts only to the origin it was given, which Pulse checked against
 * EMBED_ORIGINS.
 */
export function embedScript(pulseOrigin: string): string {
  return `/* Pulse embeds: docs/embedding.md */
(function () {
  "use strict";
  var PULSE = ${JSON.stringify(pulseOrigin)};
  var SLUG = "[a-z0-9-]{2,64}";
  var frames = [];
  function frameFor(el) {
    var poll = el.getAttribute("data-pulse-poll");
    var results = el.getAttribute("data-pulse-results");
    var path = null;
    if (poll && new RegExp("^" + SLUG + "/" + SLUG + "$").test(poll)) path = "/embed/t/" + poll.split("/")[0] + "/p/" + poll.split("/")[1];
    else if (results && new RegExp("^" + SLUG + "$").test(results)) path = "/embed/t/" + results + "/results";
    if (!path || el.getAttribute("data-pulse-placed")) return;
    el.setAttribute("data-pulse-placed", "1");
    var f = document.createElement("iframe");
    f.src = PULSE + path + "?host=" + encodeURIComponent(location.origin);
    f.title = el.getAttribute("data-pulse-title") || (poll ? "A question on Pulse" : "Results on Pulse");
    f.setAttribute("loading", "lazy");
    f.style.width = "100%";
    f.style.border = "0";
    f.style.height = "420px";
    f.style.display = "block";
    el.appendChild(f);
    frames.push(f);
  }
  function placeAll() {
    var els = document.querySelectorAll("[data-pulse-poll],[data-pulse-results]");
    for (var i = 0; i < els.length; i++) frameFor(els[i]);
  }
  window.addEventListener("message", function (e) {
    if (e.origin !== PULSE) return;
    var d = e.data;
    if (!d || d.type !== "pulse:height" || typeof d.height !== "number" || !isFinite(d.height)) return;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === e.source) frames[i].style.height = Math.min(Math.max(Math.round(d.height), 60), 6000) + "px";
    }
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", placeAll);
  else placeAll();
  window.PulseEmbed = { place: placeAll };
})();
`;
}
