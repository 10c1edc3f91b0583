"""HBnB, the AirBnB clone: the Flask application factory.

Gunicorn imports `hbnb.wsgi:app`; tests call `create_app({...})` with their own settings.
"""
from pathlib import Path

from flask import Flask
from flask_cors import CORS
from werkzeug.routing import Map

from hbnb import compression, db, errors, generation_link, health
from hbnb.api.v1 import api_v1
from hbnb.config import settings_from_env
from hbnb.web import demo, pages

# The deploy writes the release id into the release root, next to this package.
DEFAULT_RELEASE_FILE = Path(__file__).resolve().parent.parent / "RELEASE"


def read_release(path):
    """The first line of the RELEASE file, or "dev" when there is none (a checkout)."""
    try:
        first_line = Path(path).read_text(encoding="utf-8").partition("\n")[0].strip()
    except OSError:
        return "dev"
    return first_line or "dev"


class _UrlMap(Map):
    """Werkzeug's URL map with no redirect of `//` to `/`: Werkzeug builds that Location from
    the client's Host header (or, with none, from the socket's name). A path with `//` is
    simply not found. (The matcher reads the flag when the map is made, so it is set here.)"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "merge_slashes": False})


class _Flask(Flask):
    url_map_class = _UrlMap


def create_app(config=None):
    """Build the app from the environment; `config` overrides any setting (tests)."""
    app = _Flask(__name__)
    app.config.from_mapping(settings_from_env())
    app.config["RELEASE_FILE"] = DEFAULT_RELEASE_FILE
    app.config.from_mapping(config or {})
    app.config["RELEASE"] = read_release(app.config["RELEASE_FILE"])

    # Both `/path` and `/path/` answer 200 without a redirect: behind Nginx a redirect
    # would carry the upstream host in its Location.
    app.url_map.strict_slashes = False

    db.init_app(app)
    generation_link.init_app(app, app.extensions["hbnb.sessionmaker"])
    errors.init_app(app)
    # Pages on other origins may read the API (as in the original), and search it, but never
    # write: a browser asks first (a preflight) before a cross-origin DELETE, PUT or JSON POST,
    # and is told only these methods. So no other site can make its visitors' browsers write,
    # even with apiWriteAccess open. (The more specific resource is matched first.)
    CORS(
        app,
        resources={
            # A page of another origin may read the next page's cursor too.
            r"/api/v1/places_search": {"origins": "*", "methods": ["POST"], "expose_headers": ["X-Next-Page"]},
            r"/api/*": {"origins": "*", "methods": ["GET", "HEAD"]},
        },
        allow_headers=["Content-Type"],
    )

    @app.after_request
    def name_the_release(response):
        # Which release rendered this answer: Nginx caches an answer only under the key of
        # the release that made it (files/nginx/tuning.conf.njk), and hides the header.
        response.headers["X-Hbnb-Release"] = app.config["RELEASE"]
        return response

    compression.init_app(app)
    app.register_blueprint(api_v1)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(demo.blueprint)
    return app
