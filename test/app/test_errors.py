"""Errors answer JSON without a traceback: unknown routes, the database down, the 500 handler."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from hbnb.seed import create_schema
from hbnb.db import engine_of, get_session, make_engine


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


ENDLESS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"


def test_a_statement_over_its_time_budget_is_interrupted_and_answers_503_in_json(make_app, caplog):
    app = make_app()
    create_schema(engine_of(app))

    def endless():
        get_session().execute(text(ENDLESS))
        return "never"

    app.add_url_rule("/endless", "endless", endless)
    client = app.test_client()
    response = client.get("/endless")
    assert response.status_code == 503
    assert response.get_json() == {"error": "The request took too long"}
    assert "statement over its time budget on GET /endless" in caplog.text
    # The pooled connection it ran on serves the next request as usual.
    assert client.get("/api/v1/states").status_code == 200


def test_the_budget_is_per_statement_and_set_by_make_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/budget.db", statement_budget=0.2)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
        with pytest.raises(OperationalError, match="interrupted"):
            connection.execute(text(ENDLESS))
        # The deadline is the statement's own: the next one starts with a whole budget.
        assert connection.execute(text("SELECT 2")).scalar() == 2
