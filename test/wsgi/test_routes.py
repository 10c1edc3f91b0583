"""HBNB_STACK_ROUTES: public paths to the app's, slash variants of classic apps absorbed, and
every redirect the app makes pointing at the public path."""
import pytest

from conftest import get

HELLO = """
from flask import Flask
app = Flask(__name__)

@app.route({rule!r}, strict_slashes={strict})
def hello():
    return "Hello HBNB!"
"""

ONEPAGE = [{"path": "/airbnb-onepage/", "to": "/"}]


def hello(release, rule, strict=True):
    release.write("web_flask/__init__.py", "")
    release.write("web_flask/0-hello_route.py", HELLO.format(rule=rule, strict=strict))
    return "web_flask.0-hello_route:app"


def answer(response):
    return response.status_code, response.headers.get("Location"), response.get_data(as_text=True)


OK = (200, None, "Hello HBNB!")
TO_SLASH = (308, "/airbnb-onepage/")


@pytest.mark.parametrize(
    "rule, strict, with_slash, without_slash",
    [
        # The exercise's hello app: only `/`, strict or not: both public forms answer.
        ("/", True, OK, OK),
        ("/", False, OK, OK),
        # An app that defines the public path itself: Flask's strict redirect, or both answer.
        ("/airbnb-onepage/", True, OK, TO_SLASH),
        ("/airbnb-onepage/", False, OK, OK),
        # Defined without the slash: `/airbnb-onepage/` would be Flask's 404; the twin answers.
        ("/airbnb-onepage", True, OK, OK),
    ],
)
def test_classic_hello_variants_answer_at_both_public_forms(release, rule, strict, with_slash, without_slash):
    client = release.client(hello(release, rule, strict), ONEPAGE)
    got = answer(client.get("/airbnb-onepage/"))
    assert got == with_slash
    got = answer(client.get("/airbnb-onepage"))
    assert got[: len(without_slash)] == without_slash


def test_head_is_matched_as_get(release):
    client = release.client(hello(release, "/airbnb-onepage"), ONEPAGE)
    response = client.head("/airbnb-onepage/")
    assert (response.status_code, response.headers["Content-Length"], response.get_data()) == (200, "11", b"")


def test_the_redirect_lands_on_the_answer(release):
    client = release.client(hello(release, "/airbnb-onepage/"), ONEPAGE)
    response = client.get("/airbnb-onepage", follow_redirects=True)
    assert (response.status_code, response.get_data(as_text=True)) == (200, "Hello HBNB!")
    assert response.request.path == "/airbnb-onepage/"


def test_to_defaults_to_path_and_the_strict_app_redirects_to_the_public_form(release):
    client = release.client(hello(release, "/airbnb-onepage/"), [{"path": "/airbnb-onepage/"}])
    assert answer(client.get("/airbnb-onepage/")) == OK
    assert answer(client.get("/airbnb-onepage"))[:2] == TO_SLASH


NUMBER = """
from flask import Flask, request, url_for
app = Flask(__name__)

@app.route({rule!r})
def number_odd_or_even(n):
    parity = "even" if n % 2 == 0 else "odd"
    return f"Number: {{n}} is {{parity}} | {{request.script_root}} {{request.path}} | " + url_for(
        "number_odd_or_even", n=n
    )
"""

DYNAMIC = [{"path": "/airbnb-dynamic/number_odd_or_even/", "to": "/number_odd_or_even/"}]


def test_a_prefix_is_mounted_with_script_name(release):
    release.write("web_flask/6-number_odd_or_even.py", NUMBER.format(rule="/number_odd_or_even/<int:n>"))
    client = release.client("web_flask.6-number_odd_or_even:app", DYNAMIC)
    response = client.get("/airbnb-dynamic/number_odd_or_even/6")
    assert response.status_code == 200
    # The app sees its own path below SCRIPT_NAME, so the URLs it builds are the public ones.
    assert response.get_data(as_text=True) == (
        "Number: 6 is even | /airbnb-dynamic /number_odd_or_even/6 | /airbnb-dynamic/number_odd_or_even/6"
    )


def test_the_slash_twin_of_the_app_path_answers(release):
    release.write("web_flask/6-number_odd_or_even.py", NUMBER.format(rule="/number_odd_or_even/<int:n>"))
    client = release.client("web_flask.6-number_odd_or_even:app", DYNAMIC)
    response = client.get("/airbnb-dynamic/number_odd_or_even/7/")
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("Number: 7 is odd | ")


def test_a_strict_redirect_below_a_prefix_points_at_the_public_path(release):
    release.write("web_flask/6-number_odd_or_even.py", NUMBER.format(rule="/number_odd_or_even/<int:n>/"))
    client = release.client("web_flask.6-number_odd_or_even:app", DYNAMIC)
    response = client.get("/airbnb-dynamic/number_odd_or_even/6?x=1", headers={"Host": "hbnb.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == "/airbnb-dynamic/number_odd_or_even/6/?x=1"
    followed = client.get("/airbnb-dynamic/number_odd_or_even/6/")
    assert followed.status_code == 200


def test_unrouted_paths_pass_unchanged(release):
    release.write("web_flask/6-number_odd_or_even.py", NUMBER.format(rule="/number_odd_or_even/<int:n>"))
    client = release.client("web_flask.6-number_odd_or_even:app", DYNAMIC)
    response = client.get("/number_odd_or_even/8")
    assert response.get_data(as_text=True) == "Number: 8 is even |  /number_odd_or_even/8 | /number_odd_or_even/8"


PAGE = """
from flask import Flask, redirect, request, url_for
app = Flask(__name__)

@app.route({rule!r})
def page():
    if "again" in request.args:
        return redirect(url_for("page"))
    return "page at " + request.path
"""


@pytest.mark.parametrize("rule", ["/100-hbnb", "/100-hbnb/"])
@pytest.mark.parametrize("to", ["/100-hbnb", "/100-hbnb/"])
def test_a_page_route_with_or_without_slash_is_served_at_an_exact_root(release, rule, to):
    # Never the app's strict redirect: at an exact route it would send `/` back to `/`.
    release.write("web_dynamic/100-hbnb.py", PAGE.format(rule=rule))
    client = release.client("web_dynamic.100-hbnb:app", [{"path": "/", "to": to, "exact": True}])
    assert answer(client.get("/")) == (200, None, "page at " + rule)


def test_an_exact_route_covers_only_its_path(release):
    release.write("web_dynamic/100-hbnb.py", PAGE.format(rule="/100-hbnb"))
    client = release.client("web_dynamic.100-hbnb:app", [{"path": "/", "to": "/100-hbnb", "exact": True}])
    assert client.get("/other").status_code == 404


@pytest.mark.parametrize("to", ["/100-hbnb", "/100-hbnb/"])
def test_redirects_of_an_app_served_elsewhere_are_mapped_back(release, to):
    # `/` served by `/100-hbnb` is no mount (no SCRIPT_NAME can say it): the wrapper maps the
    # app's Location back to the public path.
    release.write("web_dynamic/100-hbnb.py", PAGE.format(rule="/100-hbnb"))
    client = release.client("web_dynamic.100-hbnb:app", [{"path": "/", "to": to, "exact": True}])
    assert answer(client.get("/?again=1"))[:2] == (302, "/")


SHOP = """
from flask import Flask, redirect
app = Flask(__name__)

@app.route("/store/<int:n>/")
def item(n):
    return f"item {n}"

@app.route("/store/moved")
def moved():
    return redirect("/store/7/")
"""


def test_a_renamed_prefix_maps_redirects_back(release):
    release.write("shop.py", SHOP)
    client = release.client("shop:app", [{"path": "/shop/", "to": "/store/"}])
    assert answer(client.get("/shop/5"))[:2] == (308, "/shop/5/")
    assert answer(client.get("/shop/5/")) == (200, None, "item 5")
    assert answer(client.get("/shop/moved"))[:2] == (302, "/shop/7/")


def test_the_longest_route_wins(release):
    release.write("shop.py", SHOP)
    client = release.client(
        "shop:app", [{"path": "/", "to": "/nothing/"}, {"path": "/shop/", "to": "/store/"}]
    )
    assert answer(client.get("/shop/5/")) == (200, None, "item 5")


METHODS = """
from flask import Flask
app = Flask(__name__)

@app.route("/", methods=["GET"])
def hello():
    return "Hello HBNB!"

@app.route("/airbnb-onepage/", methods=["POST"])
def create():
    return "created", 201
"""


def test_a_405_of_the_app_path_is_the_app_answer(release):
    # The app path `/` exists for GET only: a POST is the app's 405, not the later public path.
    release.write("hello.py", METHODS)
    client = release.client("hello:app", ONEPAGE)
    assert client.post("/airbnb-onepage/").status_code == 405
    assert answer(client.get("/airbnb-onepage/")) == OK


WSGI = """
import json

def application(environ, start_response):
    seen = {key: environ[key] for key in ("SCRIPT_NAME", "PATH_INFO")}
    start_response("301 Moved", [("Location", environ["HTTP_X_TARGET"]), ("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]
"""


@pytest.mark.parametrize(
    "routes, public, seen",
    [
        (DYNAMIC, "/airbnb-dynamic/number_odd_or_even/6", ["/airbnb-dynamic", "/number_odd_or_even/6"]),
        (ONEPAGE, "/airbnb-onepage", ["/airbnb-onepage", "/"]),
        ([{"path": "/", "to": "/100-hbnb", "exact": True}], "/", ["", "/100-hbnb"]),
        (None, "/anything/", ["", "/anything/"]),
    ],
)
def test_a_plain_wsgi_app_gets_the_first_option(release, routes, public, seen):
    release.write("plain.py", WSGI)
    client = release.client("plain:application", routes)
    response = client.get(public, headers={"X-Target": "/x"})
    assert response.get_json() == {"SCRIPT_NAME": seen[0], "PATH_INFO": seen[1]}


UNIX_SOCKET = {"HTTP_HOST": None, "SERVER_NAME": "/run/hbnb-x/gunicorn.sock", "SERVER_PORT": ""}


@pytest.mark.parametrize(
    "environ, target, location",
    [
        # Werkzeug's absolute Location, from the Host header Nginx passes: path-only.
        ({}, "http://hbnb.example/a/?q=1#f", "/a/?q=1#f"),
        ({}, "http://HBNB.example", "/"),
        # No Host header on a unix socket: the app sees `localhost` (see the next test).
        (UNIX_SOCKET, "http://localhost/a/", "/a/"),
        ({"HTTP_HOST": None, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "5000"}, "http://127.0.0.1:5000/a/", "/a/"),
        # Another site, or this one in another scheme (an app that forces https): unchanged.
        ({}, "https://hbnb.example/a/", "https://hbnb.example/a/"),
        ({}, "http://hbnb.example.org/a/", "http://hbnb.example.org/a/"),
        ({}, "//elsewhere.example/a/", "//elsewhere.example/a/"),
        ({}, "relative/path", "relative/path"),
    ],
)
def test_locations_pointing_at_this_server_become_paths(release, environ, target, location):
    release.write("plain.py", WSGI)
    app = release.serve("plain:application")
    _, headers, _ = get(app, "/", {"Host": "hbnb.example", "X-Target": target}, **environ)
    assert headers["Location"] == location


EXTERNAL = """
from flask import Flask, url_for
app = Flask(__name__)

@app.route("/a/")
def a():
    return url_for("a", _external=True)
"""


@pytest.mark.parametrize(
    "environ, url",
    [
        # Gunicorn's SERVER_NAME on a unix socket is its path: no host name.
        (UNIX_SOCKET, "http://localhost/a/"),
        ({"HTTP_HOST": "hbnb.example"}, "http://hbnb.example/a/"),
        ({"HTTP_HOST": None, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "5000"}, "http://127.0.0.1:5000/a/"),
        ({**UNIX_SOCKET, "wsgi.url_scheme": "https"}, "https://localhost/a/"),
    ],
)
def test_a_unix_socket_path_is_never_a_host_name(release, environ, url):
    release.write("external.py", EXTERNAL)
    status, _, body = get(release.serve("external:app"), "/a/", **environ)
    assert (status, body) == (200, url)
