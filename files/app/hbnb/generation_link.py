"""The data's generation, published where Nginx reads it for free: a symbolic link.

Nginx keys its cache of the page and places_search by the release and by where the link
`<dir>/generation` points (`$realpath_root`, files/nginx/data-cache.conf.njk): one realpath()
a request, no module, no round trip to a worker. The link names a fresh random token each time
the data may have changed, so a key is never reused for other data, even across restarts:
- after every commit that changed rows, before the request that made it answers, so the very
  next request of any client uses a new key (`after_commit` below);
- when a worker starts (a restart may follow a restore);
- when the watcher sees the database change behind the app's back (a restore, a row changed
  directly, another server's write on a shared database): polled every POLL_SECONDS.
An answer cached under a token was rendered from data at least as new as the token: Nginx
reads the link before it passes the request on, and the link moves only after a commit.

Each token's file holds the database's fingerprint as its publisher read it just before: the
watcher publishes only when the fingerprint differs from the one the link names, so a write the
app has published already (which moves the generation row and the file too) is not published a
second time a moment later, which would empty the cache after every write.
"""
import fcntl
import json
import os
import secrets
import threading
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url

from hbnb.models import Generation
from hbnb.models.generation import ROW_ID as GENERATION_ROW

# How often the watcher looks for changes made behind the app's back: such a change reaches
# the cache's key within this (and the time one check takes), well under the second promised.
POLL_SECONDS = 0.25
# A token file no link has named for this long is removed: Nginx resolves the link in
# microseconds, so no request can still be reading it.
KEEP_SECONDS = 5.0

# Names and the row id from the model; a constant, so no driver-specific parameter style.
GENERATION_QUERY = (
    f"SELECT {Generation.value.name} FROM {Generation.__tablename__} "
    f"WHERE {Generation.id.name} = {int(GENERATION_ROW)}"
)

LINK = "generation"
TOKENS = "generations"


def publish(directory, stamp=None):
    """Point `directory`/generation at a new token; returns the token.

    STAMP (the fingerprint the data had just before) is written into the token's file. The
    token's file is made first, then a new link is renamed over the old one: Nginx sees the old
    target or the new one, never none. Publishers (every worker, the watcher) take turns under
    one lock, so old tokens are removed by one at a time."""
    root = Path(directory)
    tokens = root / TOKENS
    with open(root / "publish.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Nginx's user (not in the app's group) must be able to pass through to the token.
        tokens.mkdir(exist_ok=True)
        os.chmod(tokens, 0o711)
        token = secrets.token_hex(8)
        (tokens / token).write_text(json.dumps(stamp))
        staging = root / f".{LINK}.{token}"
        os.symlink(f"{TOKENS}/{token}", staging)
        os.replace(staging, root / LINK)
        cutoff = time.time() - KEEP_SECONDS
        for old in tokens.iterdir():
            if old.name != token and old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
    return token


def published_stamp(directory):
    """The fingerprint the link's token was published with; None if there is none to read."""
    try:
        return json.loads((Path(directory) / LINK).read_text())
    except (OSError, ValueError):
        return None


def sqlite_path_of(url):
    """The SQLite file of URL, or None (another database, or one in memory)."""
    parsed = make_url(url)
    database = parsed.database if parsed.get_backend_name() == "sqlite" else None
    return database if database not in (None, "", ":memory:") else None


def fingerprint(engine, sqlite_path):
    """What changes whenever the data does: the generation row (every writer of the app, on any
    server, moves it on); for SQLite also the file and its WAL (a restore puts other bytes
    there, a row changed with the sqlite3 shell moves no generation but appends to the WAL).
    A list, as JSON gives it back."""
    parts = [_generation(engine)]
    if sqlite_path:
        parts += [_file_state(sqlite_path), _file_state(sqlite_path + "-wal")]
    return parts


def _generation(engine):
    try:
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(GENERATION_QUERY)
            row = cursor.fetchone()
        finally:
            connection.close()
    except Exception as error:  # noqa: BLE001 - any failure is "unknown", seen as a change
        return f"unavailable: {error}"
    return row[0] if row else None


def _file_state(path):
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return [status.st_ino, status.st_size, status.st_mtime_ns]


def init_app(app, sessions):
    """Publish for `app` (sessions: its sessionmaker) if GENERATION_DIR is set; else nothing."""
    directory = app.config.get("GENERATION_DIR")
    if not directory:
        return

    @event.listens_for(sessions, "after_flush")
    def _note_change(session, _flush_context):
        if session.new or session.dirty or session.deleted:
            session.info["hbnb.changed"] = True

    engine = app.extensions["hbnb.engine"]
    sqlite_path = sqlite_path_of(app.config["DATABASE_URL"])
    stamp = lambda: fingerprint(engine, sqlite_path)  # noqa: E731

    @event.listens_for(sessions, "after_commit")
    def _publish_after_commit(session):
        if session.info.pop("hbnb.changed", False):
            publish(directory, stamp())

    @event.listens_for(sessions, "after_rollback")
    def _forget(session):
        session.info.pop("hbnb.changed", None)

    publish(directory, stamp())
    watcher = Watcher(directory, stamp)
    app.extensions["hbnb.generation_watcher"] = watcher
    threading.Thread(target=watcher.run, name="generation-watcher", daemon=True).start()


class Watcher:
    """Publishes a new token when the database's fingerprint is not the one the link names: a
    change the app did not publish (a restore, a row changed directly, another server's write).

    One watcher a server: every worker starts one, and the one that holds `watch.lock` polls;
    the others wait for the lock (a worker that exits hands it on)."""

    def __init__(self, directory, stamp):
        self.directory = Path(directory)
        self.stamp = stamp
        # Set to end the watcher (the tests' apps; a worker simply exits).
        self.stopped = threading.Event()
        # Set once this watcher polls: changes from then on are seen (the tests wait for it).
        self.ready = threading.Event()
        # Polls done, for tests that wait for the watcher to have looked.
        self.polls = 0

    def run(self):
        with open(self.directory / "watch.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.ready.set()
            while not self.stopped.wait(POLL_SECONDS):
                now = self.stamp()
                if now != published_stamp(self.directory):
                    publish(self.directory, now)
                self.polls += 1
