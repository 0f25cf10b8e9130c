import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useRouteError,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { useUnreadCount } from "./components/useUnreadCount";
import { Slot, useViewer } from "./components/Slot";
import { rootData } from "./models/viewer.server";
import { useNonce, useRequestId } from "./nonce";
import stylesheet from "./styles.css";
import { LIMITS } from "~/lib/format";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Pulse" }];

/**
 * The reader's own data, for the page asked for (app/models/viewer.server.ts).
 * Nothing per request for anonymous readers: their pages are shared byte for
 * byte (docs/caching.md), and a signed-in reader's page is the shared one
 * with this data's slots drawn for them (docs/decisions/028).
 */
export async function loader({ context, request }: LoaderFunctionArgs) {
  return rootData(context.auth.user, new URL(request.url).pathname, context.auth.guest);
}

/** What the root draws depends on the page, so it is read again whenever the page changes. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, defaultShouldRevalidate }) =>
  defaultShouldRevalidate || currentUrl.pathname !== nextUrl.pathname;

/** The reader's corner of the header: who they are, their notifications, or the way in. */
function AccountNav() {
  const { user } = useViewer();
  const location = useLocation();
  const here = location.pathname + location.search;
  const back = here.startsWith("/login") || here.startsWith("/signup") ? "" : `?redirectTo=${encodeURIComponent(here)}`;
  const unread = useUnreadCount(user?.unread ?? 0, Boolean(user));
  return (
    <nav aria-label="Account" className="account">
      {user ? (
        <>
          <span className="whoami">
            <span className="whoami-label">Signed in as </span>
            <strong data-testid="whoami">{user.username}</strong>
          </span>
          <Link to="/notifications" className="inbox-link" data-testid="inbox-link">
            Notifications
            {unread > 0 ? (
              <span className="count-badge" data-testid="unread-count">
                {unread}
                <span className="sr-only"> unread</span>
              </span>
            ) : null}
          </Link>
          {user.role !== "member" ? <Link to="/admin">Admin</Link> : null}
          <Link to="/settings">Settings</Link>
          <Form method="post" action="/logout" className="inline">
            <input type="hidden" name="redirectTo" value={here} />
            <button type="submit" className="linklike">Sign out</button>
          </Form>
        </>
      ) : (
        <>
          <Link to={`/login${back}`}>Sign in</Link>
          <Link to={`/signup${back}`} className="button small">Sign up</Link>
        </>
      )}
    </nav>
  );
}

function Header() {
  const location = useLocation();
  const query = location.pathname === "/search" ? (new URLSearchParams(location.search).get("q") ?? "") : "";
  return (
    <header className="site-header">
      <div className="wrap header-row">
        <Link to="/" className="brand" aria-label="Pulse, home">
          <span className="brand-mark" aria-hidden="true">◉</span> Pulse
        </Link>
        <form method="get" action="/search" role="search" aria-label="Search the site" className="header-search">
          <label htmlFor="site-search" className="sr-only">
            Search Pulse
          </label>
          <input id="site-search" type="search" name="q" placeholder="Search" defaultValue={query} key={query} maxLength={LIMITS.search} />
          <button type="submit" className="small secondary">Search</button>
        </form>
        <Slot id="account">
          <AccountNav />
        </Slot>
      </div>
    </header>
  );
}

/**
 * A browser that blocks third-party storage throws on any touch of
 * sessionStorage inside another site's frame, and Remix's route discovery
 * touches it on every fetcher's first post (remix-run/remix: the manifest
 * version check). In an embed, a storage kept in memory stands in for it.
 */
const MEMORY_SESSION_STORAGE = `try{window.sessionStorage}catch(e){var m=new Map();Object.defineProperty(window,"sessionStorage",{configurable:true,value:{getItem:function(k){return m.has(k)?m.get(k):null},setItem:function(k,v){m.set(k,String(v))},removeItem:function(k){m.delete(k)},clear:function(){m.clear()},key:function(i){return Array.from(m.keys())[i]||null},get length(){return m.size}}})}`;

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  // Inside another site's frame (issue 27): the card alone, and no scroll restoration, which reads
  // sessionStorage, and a browser that blocks third-party storage refuses that with an exception.
  const embedded = useLocation().pathname.startsWith("/embed/");
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
        {embedded ? <script nonce={nonce} dangerouslySetInnerHTML={{ __html: MEMORY_SESSION_STORAGE }} /> : null}
        {/* Every link in a frame opens Pulse in a new tab: other pages refuse to be framed. Forms say _self. */}
        {embedded ? <base target="_blank" /> : null}
      </head>
      <body>
        {embedded ? null : <a href="#main" className="skip">Skip to content</a>}
        {embedded ? null : <Header />}
        <main id="main" className="wrap">{children}</main>
        {embedded ? null : (
          <footer className="site-footer wrap">
            <p>
              Pulse — community discussion and surveys. Results are from a self-selected sample. <Link to="/moderation">Moderation</Link>
            </p>
          </footer>
        )}
        {embedded ? null : <ScrollRestoration nonce={nonce} />}
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

/**
 * The request id reaches error pages through context on the server only. In
 * the browser, hydration reads back the one the server wrote, so both agree.
 */
function serverRenderedRequestId(): string | undefined {
  if (typeof document === "undefined") return undefined;
  return document.querySelector("[data-testid=request-id]")?.textContent ?? undefined;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const requestId = useRequestId() ?? serverRenderedRequestId();
  if (isRouteErrorResponse(error)) {
    const title = error.status === 404 ? "Not found" : error.status === 403 ? "Not allowed" : `Error ${error.status}`;
    const text =
      error.status === 404
        ? "There is nothing at this address. It may have been moved or removed."
        : typeof error.data === "string" && error.data.length < 300
          ? error.data
          : error.statusText;
    return (
      <section className="error-page">
        <h1>{title}</h1>
        <p>{text}</p>
        <p><Link to="/">Back to the topics</Link></p>
      </section>
    );
  }
  return (
    <section className="error-page">
      <h1>Something went wrong</h1>
      <p>We could not show this page. Please try again in a moment.</p>
      {requestId ? (
        <p className="muted">
          If you report this, mention request id <code data-testid="request-id">{requestId}</code>.
        </p>
      ) : null}
      <p><Link to="/">Back to the topics</Link></p>
    </section>
  );
}
