"""The database engine of an app and the session of the current request."""
import time

from flask import abort, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool
from sqlalchemy.orm import sessionmaker

# The longest one SQLite statement may run, in seconds. The API bounds what a request may ask
# (at most 1,000 ids a list, one condition a filter: the costliest search measured ~20 ms); this
# bounds what a statement costs whatever it is, so that no request holds a worker (and the
# requests queued behind it) for long: SQLite interrupts the statement, and the request answers
# 503 in JSON (hbnb/errors.py). Gunicorn's own timeout (30 s) kills a worker stuck elsewhere.
STATEMENT_BUDGET = 2.0
# SQLite calls the budget's check every this many of its virtual machine's instructions
# (well under a millisecond of work).
CHECK_EVERY = 10_000
# A MySQL or MariaDB server over TCP (the stack's database host, RDS), in whole seconds as the
# client library (MariaDB Connector/C, through MySQLdb) takes them. Without them a server that is
# down or unreachable holds each request for the kernel's TCP give-up (minutes), and the workers
# with it: with them the request answers 503 in JSON (hbnb/errors.py) and the next one tries again.
# - connect: a server on the same network answers the TCP handshake and sends its greeting in
#   milliseconds; no answer in a second means it is not there.
CONNECT_TIMEOUT = 1
# - read and write: each wait for the server's answer to a statement (the API's costliest took
#   ~20 ms), well under Gunicorn's 30 s.
IO_TIMEOUT = 5


def make_engine(url, statement_budget=STATEMENT_BUDGET):
    """An engine for `url`, in SQLAlchemy's 2.0 style (also on SQLAlchemy 1.4)."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    # pre_ping: MySQL closes idle connections (wait_timeout); test each one before use. A
    # SQLite file has no server to drop a connection: no test, no extra query per request.
    options = {"pool_pre_ping": not sqlite}
    if parsed.get_backend_name() == "mysql" and (parsed.host or "localhost") != "localhost":
        # (Through the unix socket, MariaDB on the server: a file, no network to wait for.)
        options["connect_args"] = {
            "connect_timeout": CONNECT_TIMEOUT,
            "read_timeout": IO_TIMEOUT,
            "write_timeout": IO_TIMEOUT,
        }
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
        _bound_sqlite_statements(engine, statement_budget)
    return engine


def _bound_sqlite_statements(engine, budget):
    """Interrupt any statement of `engine` that runs longer than `budget` seconds."""

    @event.listens_for(engine, "connect")
    def _install(dbapi_connection, connection_record):
        # The deadline of the statement running on this connection, set just before it starts.
        deadline = connection_record.info["hbnb.deadline"] = [0.0]
        dbapi_connection.set_progress_handler(lambda: time.monotonic() > deadline[0], CHECK_EVERY)

    @event.listens_for(engine, "before_cursor_execute")
    def _start(connection, _cursor, _statement, _parameters, _context, _executemany):
        connection.info["hbnb.deadline"][0] = time.monotonic() + budget


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
