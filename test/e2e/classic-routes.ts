import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { CLASSIC_TREE } from "./fixture-repos";

/**
 * The exercise's routes (shared/notes/the-app-server-contract.md) as a server that deploys a
 * classic AirBnB clone must answer them from outside, behind Nginx: data (CLASSIC_ROUTES) and
 * a checker (checkClassicRoutes) that also walks the REST API's CRUD with the page in between.
 * The checker speaks to a Target: a base URL (fetch), or any other transport, such as the
 * Flask test client of test/files/classic-apps.test.ts.
 */

export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** An answer; header names in lower case. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Where requests go: ORIGIN is what an absolute Location must start with to count as the same host. */
export interface Target {
  origin: string;
  send(request: HttpRequest): Promise<HttpAnswer>;
}

/** A target over HTTP at BASE (e.g. http://10.0.0.2): redirects are answers, never followed. */
export function urlTarget(base: string): Target {
  const origin = new URL(base).origin;
  return {
    origin,
    async send(request) {
      const response = await fetch(origin + request.path, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      });
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: Buffer.from(await response.arrayBuffer()),
      };
    },
  };
}

export interface Expect {
  status: number;
  /** The body, parsed as JSON, equals this. */
  json?: unknown;
  /** The body is exactly this text. */
  text?: string;
  /** The body holds each of these (HTML pages). */
  contains?: string[];
  /** The body is exactly this file of test/fixtures/classic/. */
  file?: string;
  /** The Content-Type header matches. */
  contentType?: RegExp;
  /**
   * The answer may instead be one redirect to the same host (a relative Location, or one on
   * the target's origin) whose target answers as expected: how Flask's strict slashes answer
   * the form of a path the app does not define.
   */
  redirectAllowed?: boolean;
}

export interface RouteCheck {
  name: string;
  request: HttpRequest;
  expect: Expect;
}

const JSON_TYPE = /^application\/json/;
const post = (path: string, body: unknown, type = "application/json"): HttpRequest => ({
  method: "POST",
  path,
  headers: { "Content-Type": type },
  body: typeof body === "string" ? body : JSON.stringify(body),
});
const get = (path: string): HttpRequest => ({ method: "GET", path });
const staticFile = (file: string, contentType: RegExp): RouteCheck => ({
  name: `/static/${file} is the repository's file`,
  request: get(`/static/${file}`),
  expect: { status: 200, file: `web_dynamic/static/${file}`, contentType },
});

/** Routes whose answers need no data: same on every server that deploys a classic repository. */
export const CLASSIC_ROUTES: RouteCheck[] = [
  {
    name: "the hello app at /airbnb-onepage/",
    request: get("/airbnb-onepage/"),
    expect: { status: 200, text: "Hello HBNB!" },
  },
  {
    name: "the hello app at /airbnb-onepage",
    request: get("/airbnb-onepage"),
    expect: { status: 200, text: "Hello HBNB!", redirectAllowed: true },
  },
  {
    name: "6 is even",
    request: get("/airbnb-dynamic/number_odd_or_even/6"),
    expect: { status: 200, contains: ["Number: 6 is even"], contentType: /^text\/html/ },
  },
  {
    name: "7 is odd",
    request: get("/airbnb-dynamic/number_odd_or_even/7"),
    expect: { status: 200, contains: ["Number: 7 is odd"], contentType: /^text\/html/ },
  },
  { name: "abc is no number", request: get("/airbnb-dynamic/number_odd_or_even/abc"), expect: { status: 404 } },
  {
    name: "the API's status",
    request: get("/api/v1/status"),
    expect: { status: 200, json: { status: "OK" }, contentType: JSON_TYPE },
  },
  {
    name: "the API's status with a slash (what the page's JS asks)",
    request: get("/api/v1/status/"),
    expect: { status: 200, json: { status: "OK" }, contentType: JSON_TYPE },
  },
  {
    name: "an unknown API route",
    request: get("/api/v1/nope"),
    expect: { status: 404, json: { error: "Not found" }, contentType: JSON_TYPE },
  },
  {
    name: "an unknown state",
    request: get("/api/v1/states/nope"),
    expect: { status: 404, json: { error: "Not found" }, contentType: JSON_TYPE },
  },
  {
    name: "a state that is not JSON",
    request: post("/api/v1/states", "name=x", "text/plain"),
    expect: { status: 400, json: { error: "Not a JSON" }, contentType: JSON_TYPE },
  },
  {
    name: "a state without its name",
    request: post("/api/v1/states", {}),
    expect: { status: 400, json: { error: "Missing name" }, contentType: JSON_TYPE },
  },
  {
    name: "a user without an email",
    request: post("/api/v1/users", { password: "pwd" }),
    expect: { status: 400, json: { error: "Missing email" }, contentType: JSON_TYPE },
  },
  {
    name: "a user without a password",
    request: post("/api/v1/users", { email: "nobody@hbnb.test" }),
    expect: { status: 400, json: { error: "Missing password" }, contentType: JSON_TYPE },
  },
  {
    name: "a search that is not JSON",
    request: post("/api/v1/places_search", "states", "text/plain"),
    expect: { status: 400, json: { error: "Not a JSON" }, contentType: JSON_TYPE },
  },
  {
    name: "the page",
    request: get("/"),
    expect: {
      status: 200,
      contentType: /^text\/html/,
      contains: [
        '<div id="api_status"></div>',
        '<link rel="stylesheet" type="text/css" href="/static/styles/4-common.css?',
        '<script src="/static/scripts/100-hbnb.js?',
        "<h1>Places</h1>",
        "<p>Holberton School</p>",
      ],
    },
  },
  staticFile("styles/4-common.css", /^text\/css/),
  staticFile("styles/3-header.css", /^text\/css/),
  staticFile("styles/3-footer.css", /^text\/css/),
  staticFile("styles/6-filters.css", /^text\/css/),
  staticFile("styles/8-places.css", /^text\/css/),
  staticFile("images/logo.png", /^image\/png/),
  staticFile("images/icon.png", /^image\/png/),
];

const REDIRECTS = [301, 302, 303, 307, 308];

/** What is wrong with ANSWER against EXPECT (nothing: []). */
function mismatches(answer: HttpAnswer, expect: Expect): string[] {
  const wrong: string[] = [];
  const text = answer.body.toString();
  if (answer.status !== expect.status) wrong.push(`status ${answer.status}, not ${expect.status}`);
  if (expect.contentType && !expect.contentType.test(answer.headers["content-type"] ?? ""))
    wrong.push(`Content-Type ${answer.headers["content-type"]}, not ${expect.contentType}`);
  if (expect.text !== undefined && text !== expect.text) wrong.push(`body ${JSON.stringify(text)}`);
  if (expect.json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = `(no JSON) ${text.slice(0, 200)}`;
    }
    if (!isDeepStrictEqual(parsed, expect.json))
      wrong.push(`JSON ${JSON.stringify(parsed)}, not ${JSON.stringify(expect.json)}`);
  }
  for (const part of expect.contains ?? [])
    if (!text.includes(part)) wrong.push(`no ${JSON.stringify(part)} in ${JSON.stringify(text.slice(0, 300))}`);
  if (expect.file && !answer.body.equals(fs.readFileSync(path.join(CLASSIC_TREE, expect.file))))
    wrong.push(`body is not ${expect.file} (${answer.body.length} bytes)`);
  return wrong;
}

/** Runs one check; returns its failures, each prefixed with its name. */
export async function check(target: Target, route: RouteCheck): Promise<string[]> {
  const label = `${route.name} (${route.request.method} ${route.request.path})`;
  let answer = await target.send(route.request);
  if (route.expect.redirectAllowed && REDIRECTS.includes(answer.status)) {
    const location = answer.headers["location"] ?? "";
    // Resolved against an origin of its own, a relative Location stays on it; an absolute one must be the target's.
    const url = new URL(location, "http://relative.invalid" + route.request.path);
    if (url.origin !== "http://relative.invalid" && url.origin !== target.origin)
      return [`${label}: redirects off the host, to ${location}`];
    answer = await target.send({ method: "GET", path: url.pathname + url.search });
    if (REDIRECTS.includes(answer.status))
      return [`${label}: redirects twice (${location}, then ${answer.headers["location"]})`];
  }
  return mismatches(answer, route.expect).map((wrong) => `${label}: ${wrong}`);
}

/**
 * Every route of CLASSIC_ROUTES, then the CRUD walk; returns the failures ([] when the server
 * answers every route as the exercise says). WRITE_HEADERS go with every request that is no
 * GET (e.g. an Authorization header, if the stack asks one of writers).
 */
export async function checkClassicRoutes(
  target: Target | string,
  writeHeaders: Record<string, string> = {},
): Promise<string[]> {
  const to = typeof target === "string" ? urlTarget(target) : target;
  const withHeaders = (request: HttpRequest): HttpRequest =>
    request.method === "GET" ? request : { ...request, headers: { ...request.headers, ...writeHeaders } };
  const failures: string[] = [];
  for (const route of CLASSIC_ROUTES)
    failures.push(...(await check(to, { ...route, request: withHeaders(route.request) })));
  failures.push(...(await crudWalk(to, withHeaders)));
  return failures;
}

type Json = Record<string, unknown>;

/**
 * Creates a state, a city, an amenity, a user, a place with the amenity and a review through
 * the API; checks each answer, the stats, the page's filters and places_search on the way;
 * deletes everything again and checks the stats are back where they were. Stops at the first
 * failure: what follows needs what failed.
 */
async function crudWalk(target: Target, withHeaders: (request: HttpRequest) => HttpRequest): Promise<string[]> {
  // A name of this run: data left by another run never makes a check pass.
  const run = randomUUID().slice(0, 8);
  const names = { state: `Fixture State ${run}`, city: `Fixture City ${run}`, amenity: `Fixture Wifi ${run}` };
  class Failed extends Error {}
  const ask = async (label: string, request: HttpRequest, status: number): Promise<unknown> => {
    const answer = await target.send(withHeaders(request));
    const text = answer.body.toString();
    if (answer.status !== status)
      throw new Failed(
        `${label} (${request.method} ${request.path}): status ${answer.status}, not ${status}: ${text.slice(0, 300)}`,
      );
    if (!JSON_TYPE.test(answer.headers["content-type"] ?? ""))
      throw new Failed(`${label}: Content-Type ${answer.headers["content-type"]}`);
    return JSON.parse(text);
  };
  const same = (label: string, actual: unknown, expected: unknown): void => {
    if (!isDeepStrictEqual(actual, expected))
      throw new Failed(`${label}: ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}`);
  };
  /** The fields of OBJECT named in EXPECTED, and its key set, against EXPECTED and KEYS. */
  const fields = (label: string, object: unknown, expected: Json, keys?: string[]): Json => {
    const record = object as Json;
    same(label, Object.fromEntries(Object.keys(expected).map((key) => [key, record[key]])), expected);
    if (keys) same(`${label}: its keys`, Object.keys(record).sort(), keys);
    if (typeof record.id !== "string") throw new Failed(`${label}: no id in ${JSON.stringify(record)}`);
    return record;
  };
  const page = async (label: string, present: boolean): Promise<void> => {
    const text = (await target.send(get("/"))).body.toString();
    for (const name of Object.values(names))
      if (text.includes(name) !== present)
        throw new Failed(`${label}: the page ${present ? "lacks" : "still lists"} ${name}`);
  };
  const ids = (places: unknown): unknown => (places as Json[]).map((place) => place.id);
  const stats = () => ask("the stats", get("/api/v1/stats"), 200) as Promise<Record<string, number>>;
  const base = ["__class__", "created_at", "id", "updated_at"];

  try {
    const before = await stats();
    same("the stats' keys", Object.keys(before).sort(), [
      "amenities",
      "cities",
      "places",
      "reviews",
      "states",
      "users",
    ]);

    const state = fields(
      "the created state",
      await ask("create a state", post("/api/v1/states", { name: names.state }), 201),
      { __class__: "State", name: names.state },
      [...base, "name"].sort(),
    );
    fields("the state read back", await ask("read the state", get(`/api/v1/states/${state.id}`), 200), {
      id: state.id,
      name: names.state,
    });
    same("the stats with the state", await stats(), { ...before, states: before.states + 1 });
    const listed = (await ask("list the states", get("/api/v1/states"), 200)) as Json[];
    same("the state in the list", listed.filter((s) => s.id === state.id).length, 1);

    const renamed = `${names.state} (renamed)`;
    fields(
      "the updated state",
      await ask(
        "update the state",
        { ...post(`/api/v1/states/${state.id}`, { name: renamed, id: "ignored" }), method: "PUT" },
        200,
      ),
      { id: state.id, name: renamed },
    );
    await ask(
      "rename the state back",
      { ...post(`/api/v1/states/${state.id}`, { name: names.state }), method: "PUT" },
      200,
    );

    const city = fields(
      "the created city",
      await ask("create a city", post(`/api/v1/states/${state.id}/cities`, { name: names.city }), 201),
      { __class__: "City", name: names.city, state_id: state.id },
    );
    same("the state's cities", ids(await ask("the state's cities", get(`/api/v1/states/${state.id}/cities`), 200)), [
      city.id,
    ]);
    const amenity = fields(
      "the created amenity",
      await ask("create an amenity", post("/api/v1/amenities", { name: names.amenity }), 201),
      { __class__: "Amenity", name: names.amenity },
      [...base, "name"].sort(),
    );
    const user = fields(
      "the created user (no password shown)",
      await ask("create a user", post("/api/v1/users", { email: `${run}@hbnb.test`, password: "pwd" }), 201),
      { __class__: "User", email: `${run}@hbnb.test`, password: undefined },
    );
    const place = fields(
      "the created place",
      await ask(
        "create a place",
        post(`/api/v1/cities/${city.id}/places`, { user_id: user.id, name: `Fixture Place ${run}` }),
        201,
      ),
      { __class__: "Place", name: `Fixture Place ${run}`, city_id: city.id, user_id: user.id },
    );
    const link = `/api/v1/places/${place.id}/amenities/${amenity.id}`;
    fields("the linked amenity", await ask("link the amenity", post(link, {}), 201), { id: amenity.id });
    fields("the amenity linked again", await ask("link the amenity again", post(link, {}), 200), { id: amenity.id });
    same(
      "the place's amenities",
      ids(await ask("the place's amenities", get(`/api/v1/places/${place.id}/amenities`), 200)),
      [amenity.id],
    );
    const review = fields(
      "the created review",
      await ask("create a review", post(`/api/v1/places/${place.id}/reviews`, { user_id: user.id, text: "Fine" }), 201),
      { __class__: "Review", text: "Fine", place_id: place.id, user_id: user.id },
    );
    same("the place's reviews", ids(await ask("the place's reviews", get(`/api/v1/places/${place.id}/reviews`), 200)), [
      review.id,
    ]);
    same("the stats with everything", await stats(), {
      amenities: before.amenities + 1,
      cities: before.cities + 1,
      places: before.places + 1,
      reviews: before.reviews + 1,
      states: before.states + 1,
      users: before.users + 1,
    });

    const search = (body: Json) =>
      ask(`places_search ${JSON.stringify(body)}`, post("/api/v1/places_search", body), 200);
    const everything = ids(await search({})) as string[];
    same(
      "places_search {} lists every place",
      [everything.length, everything.includes(place.id as string)],
      [before.places + 1, true],
    );
    same("places_search by amenity", ids(await search({ amenities: [amenity.id] })), [place.id]);
    same("places_search by state", ids(await search({ states: [state.id] })), [place.id]);
    same("places_search by city and amenity", ids(await search({ cities: [city.id], amenities: [amenity.id] })), [
      place.id,
    ]);
    await page("the page with the new data", true);

    const remove = async (label: string, route: string): Promise<void> => {
      same(label, await ask(label, { method: "DELETE", path: route }, 200), {});
      same(`${label}: gone`, await ask(`${label}: read again`, get(route), 404), { error: "Not found" });
    };
    await remove("delete the review", `/api/v1/reviews/${review.id}`);
    same("unlink the amenity", await ask("unlink the amenity", { method: "DELETE", path: link }, 200), {});
    same(
      "the place's amenities after",
      await ask("the place's amenities after", get(`/api/v1/places/${place.id}/amenities`), 200),
      [],
    );
    await remove("delete the place", `/api/v1/places/${place.id}`);
    await remove("delete the city", `/api/v1/cities/${city.id}`);
    await remove("delete the amenity", `/api/v1/amenities/${amenity.id}`);
    await remove("delete the user", `/api/v1/users/${user.id}`);
    await remove("delete the state", `/api/v1/states/${state.id}`);
    same("the stats after", await stats(), before);
    await page("the page after the deletes", false);
    return [];
  } catch (error) {
    if (error instanceof Failed) return [`the CRUD walk: ${error.message}`];
    throw error;
  }
}
