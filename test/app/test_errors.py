"""Errors answer JSON without a traceback: unknown routes, the database down, the 500 handler."""
import pytest

from hbnb.seed import create_schema
from hbnb.db import engine_of


@pytest.mark.parametrize("path", ["/nope", "/api", "/static/nope.css", "/number_odd_or_even/abc", "/-/nope"])
def test_unknown_routes_are_json_404_everywhere(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json() == {"error": "Not found"}


def test_wrong_method_on_a_page_is_json_405(client):
    response = client.post("/airbnb-onepage/")
    assert response.status_code == 405
    assert response.get_json() == {"error": "Method not allowed"}


def test_max_content_length_comes_from_config(make_app):
    app = make_app(MAX_CONTENT_LENGTH=100)
    create_schema(engine_of(app))
    client = app.test_client()
    assert client.post("/api/v1/states", json={"name": "x" * 50}).status_code == 201
    response = client.post("/api/v1/states", json={"name": "x" * 100})
    assert response.status_code == 413
    assert response.get_json() == {"error": "Request body too large"}


@pytest.mark.reaches_last_resort
def test_unexpected_exception_is_json_500_without_traceback(make_app, caplog):
    app = make_app()

    def broken():
        raise RuntimeError("secret detail")

    app.add_url_rule("/broken", "broken", broken)
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert response.get_json() == {"error": "Internal server error"}
    assert b"secret detail" not in response.data
    assert b"Traceback" not in response.data
    # The traceback goes to the log instead.
    assert any(record.exc_info and "secret detail" in str(record.exc_info[1]) for record in caplog.records)


def test_database_unavailable_is_json_503(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/missing-dir/hbnb.db")
    client = app.test_client()
    for path in ("/api/v1/states", "/api/v1/stats", "/"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.get_json() == {"error": "Database unavailable"}
    # Routes that need no database still answer.
    assert client.get("/api/v1/status").get_json() == {"status": "OK"}
    assert client.get("/airbnb-onepage/").status_code == 200
