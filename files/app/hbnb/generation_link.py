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
"""
import fcntl
import os
import secrets
import sqlite3
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


def publish(directory):
    """Point `directory`/generation at a new token; returns the token.

    The token's file is made first, then a new link is renamed over the old one: Nginx sees the
    old target or the new one, never none. Publishers (every worker, the watcher) take turns
    under one lock, so old tokens are removed by one at a time."""
    root = Path(directory)
    tokens = root / TOKENS
    with open(root / "publish.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Nginx's user (not in the app's group) must be able to pass through to the token.
        tokens.mkdir(exist_ok=True)
        os.chmod(tokens, 0o711)
        token = secrets.token_hex(8)
        (tokens / token).touch()
        staging = root / f".{LINK}.{token}"
        os.symlink(f"{TOKENS}/{token}", staging)
        os.replace(staging, root / LINK)
        cutoff = time.time() - KEEP_SECONDS
        for old in tokens.iterdir():
            if old.name != token and old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
    return token


def init_app(app, sessions):
    """Publish for `app` (sessions: its sessionmaker) if GENERATION_DIR is set; else nothing."""
    directory = app.config.get("GENERATION_DIR")
    if not directory:
        return

    @event.listens_for(sessions, "after_flush")
    def _note_change(session, _flush_context):
        if session.new or session.dirty or session.deleted:
            session.info["hbnb.changed"] = True

    @event.listens_for(sessions, "after_commit")
    def _publish_after_commit(session):
        if session.info.pop("hbnb.changed", False):
            publish(directory)

    @event.listens_for(sessions, "after_rollback")
    def _forget(session):
        session.info.pop("hbnb.changed", None)

    publish(directory)
    watcher = Watcher(directory, app.config["DATABASE_URL"], app.extensions["hbnb.engine"])
    app.extensions["hbnb.generation_watcher"] = watcher
    threading.Thread(target=watcher.run, name="generation-watcher", daemon=True).start()


class Watcher:
    """Publishes a new token when the database changed in a way the app did not see.

    One watcher a server: every worker starts one, and the one that holds `watch.lock` polls;
    the others wait for the lock (a worker that exits hands it on)."""

    def __init__(self, directory, url, engine):
        self.directory = Path(directory)
        self.engine = engine
        parsed = make_url(url)
        database = parsed.database if parsed.get_backend_name() == "sqlite" else None
        self.sqlite_path = database if database not in (None, "", ":memory:") else None
        self.sqlite = None
        # Set to end the watcher (the tests' apps; a worker simply exits).
        self.stopped = threading.Event()
        # Set once this watcher polls: changes from then on are seen (the tests wait for it).
        self.ready = threading.Event()

    def run(self):
        with open(self.directory / "watch.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            seen = self.fingerprint()
            self.ready.set()
            while not self.stopped.wait(POLL_SECONDS):
                now = self.fingerprint()
                if now != seen:
                    publish(self.directory)
                    seen = now

    def fingerprint(self):
        """What changes whenever the data does: the generation row (every writer of the app,
        on any server, moves it on); for SQLite also the file (a restore puts another file or
        other bytes there) and SQLite's own count of commits by other connections (a row
        changed with the sqlite3 shell moves no generation)."""
        parts = [self._generation()]
        if self.sqlite_path:
            parts += [self._file_state(self.sqlite_path), self._file_state(self.sqlite_path + "-wal")]
            parts.append(self._data_version(parts[1]))
        return tuple(parts)

    def _generation(self):
        try:
            connection = self.engine.raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute(GENERATION_QUERY)
                row = cursor.fetchone()
            finally:
                connection.close()
        except Exception as error:  # noqa: BLE001 - any failure is "unknown", seen as a change
            return f"unavailable: {error}"
        return row[0] if row else None

    @staticmethod
    def _file_state(path):
        try:
            status = os.stat(path)
        except FileNotFoundError:
            return None
        return (status.st_ino, status.st_size, status.st_mtime_ns)

    def _data_version(self, file_state):
        # PRAGMA data_version changes when another connection commits to the file this one
        # has open; a new file (a restore by rename) gets a connection of its own.
        inode = file_state[0] if file_state else None
        try:
            if self.sqlite is None or self.sqlite[0] != inode:
                if self.sqlite is not None:
                    self.sqlite[1].close()
                self.sqlite = (inode, sqlite3.connect(self.sqlite_path, check_same_thread=False))
            return self.sqlite[1].execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error as error:
            self.sqlite = None
            return f"unavailable: {error}"
