/**
 * What the benchmarks load: the requests a browser makes for the HBnB page (its stylesheet,
 * script and image, the page, its API calls), plus the classic exercise's dynamic route, by
 * the app's own path (the classic site has no /airbnb-dynamic/ prefix). The same URLs go to
 * both setups: the classic one runs the same release, so its page links the same versioned
 * URLs (?v=<release id>).
 */
export interface Route {
  name: string;
  kind: "static" | "dynamic";
  method: "GET" | "POST";
  path: string;
  body?: string;
}

export function routes(release: string): Route[] {
  return [
    // The page's largest stylesheet, by the URL the page links (versioned).
    { name: "CSS 1.7 KB (?v=)", kind: "static", method: "GET", path: `/static/styles/filters.css?v=${release}` },
    { name: "jQuery 87 KB", kind: "static", method: "GET", path: "/static/scripts/jquery.min.js" },
    { name: "PNG 1.9 KB", kind: "static", method: "GET", path: "/static/images/logo.png" },
    { name: "page /", kind: "dynamic", method: "GET", path: "/" },
    { name: "GET /api/v1/status", kind: "dynamic", method: "GET", path: "/api/v1/status" },
    { name: "POST places_search", kind: "dynamic", method: "POST", path: "/api/v1/places_search", body: "{}" },
    { name: "/number_odd_or_even/7", kind: "dynamic", method: "GET", path: "/number_odd_or_even/7" },
  ];
}

/** What a browser sends: without it Nginx would never pick the precompressed files. */
export const BROWSER_HEADERS = { "Accept-Encoding": "gzip, deflate, br" };
