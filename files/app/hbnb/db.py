"""The database engine of an app and the session of the current request."""
from flask import abort, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool
from sqlalchemy.orm import sessionmaker


def make_engine(url):
    """An engine for `url`, in SQLAlchemy's 2.0 style (also on SQLAlchemy 1.4)."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    # pre_ping: MySQL closes idle connections (wait_timeout); test each one before use. A
    # SQLite file has no server to drop a connection: no test, no extra query per request.
    options = {"pool_pre_ping": not sqlite}
    if sqlite and parsed.database not in (None, "", ":memory:"):
        # SQLAlchemy 1.4 (Debian 12, Ubuntu 22.04) opens a new SQLite connection for every
        # request of a file database; opening one (the file, its WAL index, the schema read
        # back on the first query) cost more than the page's own queries. Keep them in a pool,
        # as SQLAlchemy 2.0 does by default: a pooled connection is used by one request at a
        # time, so it may move between the threads of a worker.
        options.update(poolclass=QueuePool, connect_args={"check_same_thread": False})
    engine = create_engine(url, future=True, **options)
    if sqlite:
        event.listen(engine, "connect", _enforce_sqlite_foreign_keys)
    return engine


def _enforce_sqlite_foreign_keys(dbapi_connection, _connection_record):
    # SQLite ignores FOREIGN KEY constraints unless each connection turns them on.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_app(app):
    """Give `app` an engine (connected lazily, so after Gunicorn forks) and a session per request."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["hbnb.engine"] = engine
    # Objects stay readable after commit, so views return what they saved without a reload.
    app.extensions["hbnb.sessionmaker"] = sessionmaker(bind=engine, future=True, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine_of(app):
    """The engine `init_app` gave `app`."""
    return app.extensions["hbnb.engine"]


def get_session():
    """The session of the current request, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["hbnb.sessionmaker"]()
    return g.db_session


def _close_session(_exception):
    # Closing rolls back whatever a failed request left uncommitted.
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def get_or_404(model, object_id):
    """The `model` row with id `object_id`, or a 404 response."""
    found = get_session().get(model, object_id)
    if found is None:
        abort(404)
    return found
