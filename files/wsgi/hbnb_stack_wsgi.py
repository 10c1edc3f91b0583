"""The stack's WSGI wrapper around a user's app, placed at the release root by the deploy.

Gunicorn runs `hbnb_stack_wsgi:serve('module:callable')`. The wrapper leaves the user's code as
it is and adds what the stack needs from every service:
- `/-/` belongs to the stack: `GET /-/health` answers the release id once the app imported, the
  proof the switch step waits for; every other `/-/` path is 404.
- Nginx sends public paths (`/airbnb-dynamic/number_odd_or_even/6`); the app knows its own
  (`/number_odd_or_even/6`). HBNB_STACK_ROUTES maps one onto the other, tolerant of the trailing
  slash a classic app may or may not have, and maps the app's redirects back to public paths.

Python 3.10 and the distribution's Flask/Werkzeug 2.0 to 3.1: stdlib only, Werkzeug if present.
"""
import importlib
import json
import os
from collections import namedtuple
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

try:
    # Only a Flask app is matched against its URL map, and Flask brings Werkzeug with it.
    from werkzeug.exceptions import HTTPException, NotFound
    from werkzeug.routing import RequestRedirect
except ImportError:
    HTTPException = NotFound = RequestRedirect = None

ROUTES_VARIABLE = "HBNB_STACK_ROUTES"
# resolve(): the release the code was imported from, not the `current` symlink, which the
# switch may already point elsewhere.
RELEASE_FILE = Path(__file__).resolve().parent / "RELEASE"
STACK_PREFIX = "/-/"
HEALTH_PATH = "/-/health"

Route = namedtuple("Route", "path to exact")
# One way to hand a request to the app: the PATH_INFO it sees, what is appended to SCRIPT_NAME,
# and the route through which its Location headers go back to public paths (None: they are).
Option = namedtuple("Option", "path_info script_suffix back_map")


def read_release(path=RELEASE_FILE):
    """The first line of the RELEASE file, or "dev" without one (a checkout), as the bundled app."""
    try:
        first_line = Path(path).read_text(encoding="utf-8").partition("\n")[0].strip()
    except OSError:
        return "dev"
    return first_line or "dev"


def twin(path):
    """The same path with its trailing slash removed or added; "/" has none."""
    if path == "/":
        return None
    return path[:-1] if path.endswith("/") else path + "/"


def _route_error(text, why):
    return ValueError(
        f"{ROUTES_VARIABLE}={text!r}: {why}; expected a JSON list of "
        '{"path": "/public/", "to": "/app/", "exact": false} ("to" and "exact" optional)'
    )


def parse_routes(text):
    """The routes of HBNB_STACK_ROUTES; empty or unset: none (every path passes unchanged)."""
    if not text.strip():
        return []
    try:
        items = json.loads(text)
    except ValueError as error:
        raise _route_error(text, f"not JSON ({error})") from None
    if not isinstance(items, list):
        raise _route_error(text, "not a list")
    routes = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise _route_error(text, f"{item!r} has no string 'path'")
        path, to, exact = item["path"], item.get("to", item["path"]), item.get("exact", False)
        if not isinstance(to, str) or not path.startswith("/") or not to.startswith("/"):
            raise _route_error(text, f"{item!r}: 'path' and 'to' must start with '/'")
        if not isinstance(exact, bool):
            raise _route_error(text, f"{item!r}: 'exact' must be true or false")
        # A prefix route appends the rest of the path to `to`: with a slash on one side only,
        # `/a/x` would become `/bx` or `/b//x`.
        if not exact and path.endswith("/") != to.endswith("/"):
            raise _route_error(text, f"{item!r}: 'path' and 'to' must both end with '/' or neither")
        routes.append(Route(path, to, exact))
    return routes


def find_route(routes, path):
    """The route a public path falls under, the longest if several (as Nginx picks locations)."""
    best = None
    for route in routes:
        under = not route.exact and path.startswith(route.path)
        if (under or path in (route.path, twin(route.path))) and (
            best is None or len(route.path) > len(best.path)
        ):
            best = route
    return best


def options_for(route, path):
    """How the request may reach the app, in order of preference: the app's path, its slash
    twin, then the public path and its twin (a hello app that defines `/airbnb-onepage/` itself)."""
    if path.startswith(route.path):
        app_path = route.to + path[len(route.path) :]
    else:  # the public path is the route path's slash twin: so is the app's
        app_path = twin(route.to) or "/"
    # A public path that ends with the app's path is the app mounted below a prefix: WSGI says
    # so with SCRIPT_NAME, and then the URLs Werkzeug builds (redirects, url_for) are already
    # public. Otherwise (`/` served by `/100-hbnb`) the app's Locations are mapped back.
    if route.path.endswith(route.to):
        suffix, back_map = route.path[: len(route.path) - len(route.to)], None
    else:
        suffix, back_map = "", route
    options = []
    for option in (
        Option(app_path, suffix, back_map),
        Option(twin(app_path), suffix, back_map),
        Option(path, "", None),
        Option(twin(path), "", None),
    ):
        if option.path_info and option[:2] not in [known[:2] for known in options]:
            options.append(option)
    return options


def public_path(route, path):
    """An app path of a redirect as the public path of `route` (unchanged outside it)."""
    if path == route.to or (not route.exact and path.startswith(route.to)):
        return route.path + path[len(route.to) :]
    if path == twin(route.to):
        return twin(route.path) or route.path
    return path


def public_location(location, environ, back_map):
    """A Location pointing at this server made path-only, then mapped back to the public path.
    Werkzeug builds it from the Host header, or with none (an HTTP/1.0 client) from SERVER_NAME
    and SERVER_PORT (`127.0.0.1:5000`, or `localhost` on a unix socket: see StackApp.__call__).
    Other sites, and this one in another scheme (an app that forces https), stay as they are."""
    scheme = environ.get("wsgi.url_scheme", "http")
    name, port = environ.get("SERVER_NAME", ""), environ.get("SERVER_PORT", "")
    for host in {environ.get("HTTP_HOST", ""), name, f"{name}:{port}"}:
        own = f"{scheme}://{host}"
        rest = location[len(own) :]
        if host and location.lower().startswith(own.lower()) and rest[:1] in ("", "/", "?", "#"):
            location = rest if rest.startswith("/") else "/" + rest
            break
    if not location.startswith("/") or location.startswith("//"):
        return location  # another site, or relative to the request: nothing to map
    if back_map is None:
        return location
    parts = urlsplit(location)
    return urlunsplit(("", "", public_path(back_map, parts.path), parts.query, parts.fragment))


def json_answer(start_response, environ, status, body, extra=()):
    payload = json.dumps(body).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            ("Cache-Control", "no-store"),
            *extra,
        ],
    )
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [payload]


class StackApp:
    """The WSGI callable Gunicorn serves: the stack's `/-/` paths, then the user's app."""

    def __init__(self, app, routes, release):
        self.app = app
        self.routes = routes
        self.release = release
        url_map = getattr(app, "url_map", None)
        self.url_map = url_map if NotFound is not None and hasattr(url_map, "bind_to_environ") else None

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        if path.startswith(STACK_PREFIX):
            return self.stack_answer(environ, start_response)
        if environ.get("SERVER_NAME", "").startswith("/") and not environ.get("HTTP_HOST"):
            # No Host header (an HTTP/1.0 client through Nginx) on a unix socket: Gunicorn gives
            # the socket's path as SERVER_NAME. It is no host name: it would appear in the URLs
            # the app builds, and Werkzeug 3 refuses it (a label longer than 63 characters).
            environ["SERVER_NAME"] = "localhost"
            environ["SERVER_PORT"] = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
        back_map = None
        route = find_route(self.routes, path)
        if route is not None:
            option = self.choose(route, options_for(route, path), environ)
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + option.script_suffix
            environ["PATH_INFO"] = option.path_info
            back_map = option.back_map

        def start(status, headers, exc_info=None):
            headers = [
                (name, public_location(value, environ, back_map) if name.lower() == "location" else value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.app(environ, start)

    def choose(self, route, options, environ):
        """The first option the app's URL map answers for the method; a redirect or a 405 is
        an answer (the app gives it), except at an exact route, whose public path cannot move:
        a redirect there would come back to the same public path. No answer: the first option,
        and the app's own 404. An app with no URL map (plain WSGI) gets the first option."""
        if self.url_map is None:
            return options[0]
        adapter = self.url_map.bind_to_environ(environ)
        method = environ.get("REQUEST_METHOD", "GET")
        for option in options:
            try:
                adapter.match(option.path_info, method)
            except NotFound:
                continue
            except RequestRedirect:
                if route.exact:
                    continue
            except HTTPException:
                pass  # 405 and the like: the path is the app's
            return option
        return options[0]

    def stack_answer(self, environ, start_response):
        if environ["PATH_INFO"] != HEALTH_PATH:
            return json_answer(start_response, environ, "404 NOT FOUND", {"error": "Not found"})
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return json_answer(
                start_response,
                environ,
                "405 METHOD NOT ALLOWED",
                {"error": "Method not allowed"},
                [("Allow", "GET, HEAD")],
            )
        # Reached only once the app imported (serve() raises otherwise): that is the check.
        return json_answer(start_response, environ, "200 OK", {"status": "ok", "release": self.release})


def load_app(spec):
    """The callable `module:name` names; the module's import errors propagate unchanged."""
    module_name, _, attribute = spec.partition(":")
    names = attribute.split(".")
    if not module_name or any(not part for part in module_name.split(".")) or not all(
        name.isidentifier() for name in names
    ):
        raise ValueError(
            f"serve({spec!r}): expected 'module:callable', a module of the release and an "
            "attribute name (dotted allowed, no call), e.g. 'web_flask.0-hello_route:app'"
        )
    # import_module, not an import statement: classic module names such as
    # `web_flask.0-hello_route` are no identifiers.
    app = importlib.import_module(module_name)
    for name in names:
        try:
            app = getattr(app, name)
        except AttributeError:
            raise AttributeError(f"serve({spec!r}): {module_name} has no attribute {attribute!r}") from None
    if not callable(app):
        raise TypeError(f"serve({spec!r}): {attribute} is a {type(app).__name__}, not a WSGI callable")
    return app


def serve(spec):
    """Gunicorn's app factory: any error here (an import that fails) stops the worker from
    booting, so a broken release never answers the health check."""
    routes = parse_routes(os.environ.get(ROUTES_VARIABLE, ""))
    return StackApp(load_app(spec), routes, read_release())
