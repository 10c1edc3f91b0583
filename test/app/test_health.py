"""GET /-/health: the release id once the database answers, 503 when it does not."""
from pathlib import Path

from hbnb import DEFAULT_RELEASE_FILE, create_app
from hbnb.db import engine_of
from hbnb.seed import create_schema

RELEASE_ROOT = Path(__file__).resolve().parents[2] / "files" / "app"


def test_health_reports_the_release_from_the_release_file(make_app, tmp_path):
    (tmp_path / "RELEASE").write_text("r-3f2a9c1b7d10\n")
    app = make_app()
    create_schema(engine_of(app))
    response = app.test_client().get("/-/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "OK", "release": "r-3f2a9c1b7d10"}
    assert response.headers["Cache-Control"] == "no-store"


def test_release_is_dev_without_a_release_file(client):
    assert client.get("/-/health").get_json() == {"status": "OK", "release": "dev"}


def test_an_empty_release_file_means_dev(make_app, tmp_path):
    (tmp_path / "RELEASE").write_text("\n")
    assert make_app().config["RELEASE"] == "dev"


def test_the_deploy_writes_release_into_the_release_root(tmp_path):
    # files/app/RELEASE: the directory Gunicorn runs from, next to the hbnb package.
    assert DEFAULT_RELEASE_FILE == RELEASE_ROOT / "RELEASE"
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["RELEASE_FILE"] == DEFAULT_RELEASE_FILE


def test_health_is_503_when_the_database_is_unreachable(make_app, tmp_path):
    (tmp_path / "RELEASE").write_text("r-1\n")
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/missing-dir/hbnb.db")
    response = app.test_client().get("/-/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "release": "r-1", "error": "Database unavailable"}


def test_health_is_503_before_the_schema_exists(make_app):
    # An empty database file answers "SELECT 1" but cannot serve the app: not healthy yet.
    response = make_app().test_client().get("/-/health")
    assert response.status_code == 503
