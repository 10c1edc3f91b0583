"""Fixtures for the HBnB app tests: apps on throwaway SQLite files, empty or seeded."""
import shutil
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient

APP_ROOT = Path(__file__).resolve().parents[2] / "files" / "app"
sys.path.insert(0, str(APP_ROOT))

from hbnb import create_app  # noqa: E402
from hbnb.db import engine_of  # noqa: E402
from hbnb.seed import create_schema, demo_id, seed  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "reaches_last_resort: the test means to reach the 500 handler for Exception"
    )


def sqlite_url(path):
    return f"sqlite:///{path}"


# The API token of the test apps. Their test clients send it, as the operator's scripts do; a
# test of the refusals makes a client of its own without it (test_access.py).
API_TOKEN = "test-api-token"


class OperatorClient(FlaskClient):
    """A test client whose every request carries the API token."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {API_TOKEN}"


def operator_app(config):
    """create_app with the test token; its test_client() writes as the operator."""
    app = create_app({"API_TOKEN": API_TOKEN, **config})
    app.test_client_class = OperatorClient
    return app


@pytest.fixture(autouse=True)
def no_unhandled_errors(request, caplog):
    """Fail any test whose requests reached the last-resort 500 handler."""
    yield
    if request.node.get_closest_marker("reaches_last_resort"):
        return
    unhandled = [r.getMessage() for r in caplog.records if r.getMessage().startswith("unhandled error")]
    assert not unhandled, unhandled


@pytest.fixture
def make_app(tmp_path):
    """create_app with a database and RELEASE file in tmp_path; keyword arguments override."""
    apps = []

    def factory(**overrides):
        config = {
            "TESTING": True,
            "DATABASE_URL": sqlite_url(tmp_path / "hbnb.db"),
            "RELEASE_FILE": tmp_path / "RELEASE",
        }
        config.update(overrides)
        app = operator_app(config)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        watcher = app.extensions.get("hbnb.generation_watcher")
        if watcher:
            watcher.stopped.set()
        engine_of(app).dispose()


@pytest.fixture
def app(make_app):
    """An app on an empty schema."""
    app = make_app()
    create_schema(engine_of(app))
    return app


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory):
    """A database seeded once; tests get a copy (hashing the demo passwords takes time)."""
    path = tmp_path_factory.mktemp("seeded") / "hbnb.db"
    app = create_app({"DATABASE_URL": sqlite_url(path)})
    seed(engine_of(app))
    # Disposing closes every connection, which folds the WAL back into the one file.
    engine_of(app).dispose()
    return path


@pytest.fixture
def seeded_app(make_app, seeded_database, tmp_path):
    path = tmp_path / "hbnb.db"
    shutil.copyfile(seeded_database, path)
    return make_app(DATABASE_URL=sqlite_url(path))


class Api:
    """The API v1 through a test client: paths are relative to /api/v1."""

    def __init__(self, client):
        self.client = client

    def call(self, method, path, **kwargs):
        return self.client.open(f"/api/v1{path}", method=method, **kwargs)

    def get(self, path, status=200):
        response = self.call("GET", path)
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def create(self, path, body):
        response = self.call("POST", path, json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def update(self, path, body):
        response = self.call("PUT", path, json=body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def delete(self, path):
        response = self.call("DELETE", path)
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == {}

    def stats(self):
        return self.get("/stats")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def seeded_client(seeded_app):
    return seeded_app.test_client()


@pytest.fixture
def seeded_api(seeded_client):
    return Api(seeded_client)


@pytest.fixture
def ids():
    """The fixed ids of the demo rows, e.g. ids("State", "California")."""
    return demo_id
