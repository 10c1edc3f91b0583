"""Fixtures for the WSGI wrapper's tests: a release directory in tmp_path with the wrapper at
its root (as the deploy puts it), a RELEASE file, and the user's modules each test writes."""
import importlib
import json
import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from werkzeug.test import Client, EnvironBuilder, run_wsgi_app

WSGI_DIR = Path(__file__).resolve().parents[2] / "files" / "wsgi"
RELEASE_ID = "r-5e1f0a2b3c4d"


class Release:
    def __init__(self, root, monkeypatch):
        self.root = root
        self.monkeypatch = monkeypatch

    def write(self, relative_path, text):
        path = self.root / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        # The import system caches directory listings; files written now must be seen.
        importlib.invalidate_caches()
        return path

    def serve(self, spec, routes=None):
        """What Gunicorn gets from `hbnb_stack_wsgi:serve(spec)` with these routes."""
        if routes is None:
            self.monkeypatch.delenv("HBNB_STACK_ROUTES", raising=False)
        else:
            self.monkeypatch.setenv("HBNB_STACK_ROUTES", json.dumps(routes))
        return importlib.import_module("hbnb_stack_wsgi").serve(spec)

    def client(self, spec, routes=None):
        return Client(self.serve(spec, routes))


def get(app, path, headers=None, **environ):
    """(status, headers, body) of a GET with the environ Gunicorn would make: a key given as
    None is absent (Gunicorn sets HTTP_HOST only from a Host header, and SERVER_NAME from the
    socket: on a unix socket, its path)."""
    request_environ = EnvironBuilder(path=path, headers=headers).get_environ()
    request_environ.update(environ)
    request_environ = {key: value for key, value in request_environ.items() if value is not None}
    body, status, response_headers = run_wsgi_app(app, request_environ, buffered=True)
    return int(status.split()[0]), response_headers, b"".join(body).decode()


@pytest.fixture
def release(tmp_path, monkeypatch):
    root = tmp_path / "release"
    root.mkdir()
    shutil.copy(WSGI_DIR / "hbnb_stack_wsgi.py", root)
    (root / "RELEASE").write_text(RELEASE_ID + "\n")
    monkeypatch.syspath_prepend(str(root))
    yield Release(root, monkeypatch)
    # Every test writes its own `web_flask` etc.: forget the modules imported from its release.
    for name, module in list(sys.modules.items()):
        places = [getattr(module, "__file__", None) or "", *getattr(module, "__path__", [])]
        if any(place.startswith(str(tmp_path)) for place in places):
            del sys.modules[name]
