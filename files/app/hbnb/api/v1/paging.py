"""Pages of places_search: a limit, a cursor, and the query that reads one page.

Places come by (name, id), the order the page has always shown them in, and a page starts
after a cursor: the (name, id) of the last place of the page before, which the answer sends
in its X-Next-Page header. A cursor (keyset) rather than an offset, because an offset counts
rows: a place added or deleted before it while a visitor reads would shift every later page,
showing one place twice or skipping one. From a cursor, each place that exists throughout a
walk is seen exactly once, whatever else is added or deleted (one renamed meanwhile may move
across the cursor); and the database seeks to it in the (name, id) index (models/place.py)
instead of counting the rows before it, so a late page costs what the first one does.
"""
import base64
import binascii
import json

from sqlalchemy import and_, or_

from hbnb.api.v1.payload import text
from hbnb.errors import ApiError
from hbnb.models import Place

# A page a client does not size: more than the classic exercise's checks create (a handful
# of places), so a classic client sees every place as before, and what a visitor can scan
# (about 50 KB of JSON) rather than the whole database.
DEFAULT_LIMIT = 100
# The most a client may ask at once: about 0.5 MB and tens of milliseconds of a worker.
MAX_LIMIT = 1000

# What a bad `after` is told to send instead.
AFTER_HINT = "after must be the X-Next-Page header of an earlier answer to the same search"


def page_limit(data):
    """The body's `limit`: an integer from 1 to MAX_LIMIT; absent or null, DEFAULT_LIMIT."""
    limit = data.get("limit")
    if limit is None:
        return DEFAULT_LIMIT
    # bool is an int in Python, but `true` is no limit.
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be an integer from 1 to {MAX_LIMIT}, not {json.dumps(limit)[:40]}")
    return limit


def encode_cursor(place):
    """The cursor after `place`: its (name, id) as base64url JSON, opaque to clients."""
    raw = json.dumps([place.name, place.id], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def after_cursor(data):
    """The body's `after` as (name, id), or None: absent or null, the first page."""
    cursor = data.get("after")
    if cursor is None:
        return None
    try:
        if not isinstance(cursor, str) or len(cursor) > 1024:
            raise ValueError
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8"))
        if not (
            isinstance(key, list)
            and len(key) == 2
            and all(isinstance(part, str) and text(part) for part in key)
        ):
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise ApiError(400, AFTER_HINT) from None
    return tuple(key)


def next_page(session, query, limit, after):
    """The places of `query` (a select of Place) on the page of `limit` after `after`, and the
    cursor of the page after it (None on the last page)."""
    query = query.order_by(Place.name, Place.id)
    if after is not None:
        name, place_id = after
        # `name >= :name` first: a range the (name, id) index seeks to, which the OR alone
        # (or a row-value comparison, on some MySQL versions) does not give every planner.
        query = query.where(
            and_(Place.name >= name, or_(Place.name > name, Place.id > place_id))
        )
    # One more than the page: whether there is a next page, without counting them all.
    rows = session.scalars(query.limit(limit + 1)).all()
    if len(rows) > limit:
        return rows[:limit], encode_cursor(rows[limit - 1])
    return rows, None
