"""`python3 -m hbnb.seed`: create the schema, and load the demo data into a new database.

Run at each deploy, from the release directory, as the app's user, with the app's
environment. The demo data goes only into a database no deploy has seeded yet (no row in any
data table, and the data generation never moved on): a later deploy never adds, restores or
changes a row, so what the site's users deleted or changed stays as they left it.
HBNB_DEMO_DATA=false loads none. Every demo row has a fixed id derived from its natural key
(uuid5). Prints one line saying what it did; on failure prints one line to stderr and exits 1.
"""
import secrets
import sys
import uuid

from sqlalchemy import insert, inspect, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from hbnb import demo_data
from hbnb.config import ConfigError, database_url, demo_data as demo_data_wanted
from hbnb.db import make_engine
from hbnb.models import Amenity, Base, City, Generation, Place, Review, State, User
from hbnb.models.generation import ROW_ID as GENERATION_ROW

# The namespace of the demo ids: changing it would make every demo row new again.
DEMO_NAMESPACE = uuid.UUID("6b1d3c1e-6f0e-4d52-9a3e-2f7a4e0b8c11")

PLACE_COLUMNS = (
    "name", "description", "number_rooms", "number_bathrooms", "max_guest",
    "price_by_night", "latitude", "longitude",
)


def demo_id(kind, *key):
    """The fixed id of a demo row, e.g. demo_id("City", "Texas", "Austin")."""
    return str(uuid.uuid5(DEMO_NAMESPACE, "/".join((kind,) + key)))


def create_schema(engine):
    """Create the missing tables; True if there were any (a new database)."""
    existing = set(inspect(engine).get_table_names())
    missing = [table for table in Base.metadata.sorted_tables if table.name not in existing]
    Base.metadata.create_all(engine, tables=missing)
    with engine.begin() as connection:
        # The generation's one row (hbnb.models.generation): without it nothing could move it
        # on, so `/-/generation` answers 503 and Nginx serves the page uncached.
        if connection.scalar(select(Generation.value).where(Generation.id == GENERATION_ROW)) is None:
            connection.execute(insert(Generation).values(id=GENERATION_ROW, value=0))
        else:
            # Each deploy moves it on too: a release older than the generation (a rollback)
            # may have changed rows without moving it, and no cached answer may outlive that.
            connection.execute(
                update(Generation).where(Generation.id == GENERATION_ROW).values(value=Generation.value + 1)
            )
    if engine.dialect.name == "sqlite":
        # WAL lets the Gunicorn workers keep reading while one of them writes. It is a
        # property of the database file, so setting it once per deploy is enough.
        with engine.connect() as connection:
            connection.execute(text("PRAGMA journal_mode=WAL"))
    return bool(missing)


class Loader:
    """Adds the demo rows missing from one session, counting what it adds per table."""

    def __init__(self, session):
        self.session = session
        self.added = {}

    def ensure(self, model, object_id, **values):
        """The row `object_id` of `model`, added with `values` if absent."""
        row = self.session.get(model, object_id)
        if row is None:
            row = model(id=object_id, **values)
            self.session.add(row)
            self._count(model.__tablename__)
        return row

    def ensure_link(self, place, amenity):
        if amenity not in place.amenities:
            place.amenities.append(amenity)
            self._count("place_amenity")

    def _count(self, table):
        self.added[table] = self.added.get(table, 0) + 1

    def load(self):
        cities = {}
        for state_name, city_names in demo_data.STATES.items():
            state = self.ensure(State, demo_id("State", state_name), name=state_name)
            for city_name in city_names:
                cities[state_name, city_name] = self.ensure(
                    City, demo_id("City", state_name, city_name), name=city_name, state_id=state.id
                )
        amenities = {
            name: self.ensure(Amenity, demo_id("Amenity", name), name=name)
            for name in demo_data.AMENITIES
        }
        users = {
            email: self.ensure(
                User, demo_id("User", email), email=email, first_name=first, last_name=last,
                # Nobody logs in as a demo user: an unguessable password, stored hashed.
                password=secrets.token_urlsafe(24),
            )
            for email, first, last in demo_data.USERS
        }
        places = {}
        for spec in demo_data.PLACES:
            place = self.ensure(
                Place, demo_id("Place", spec["name"]),
                city_id=cities[spec["state"], spec["city"]].id,
                user_id=users[spec["owner"]].id,
                **{column: spec[column] for column in PLACE_COLUMNS},
            )
            for amenity_name in spec["amenities"]:
                self.ensure_link(place, amenities[amenity_name])
            places[spec["name"]] = place
        for place_name, email, review_text in demo_data.REVIEWS:
            self.ensure(
                Review, demo_id("Review", place_name, email),
                place_id=places[place_name].id, user_id=users[email].id, text=review_text,
            )


def create_indexes(engine):
    """Create the indexes a database from an older release lacks (its tables predate them);
    their names."""
    inspector = inspect(engine)
    added = []
    for table in Base.metadata.sorted_tables:
        present = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in sorted(table.indexes, key=lambda index: index.name):
            if index.name not in present:
                index.create(engine)
                added.append(index.name)
    return added


def is_new(engine):
    """Whether no deploy has seeded this database yet: no data table has a row, and the data
    generation (which every write and every deploy moves on) never moved from 0."""
    existing = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        if "data_generation" in existing:
            moved = connection.scalar(select(Generation.value).where(Generation.id == GENERATION_ROW))
            if moved:
                return False
        return not any(
            connection.execute(select(table).limit(1)).first()
            for table in Base.metadata.sorted_tables
            if table.name in existing and table.name != "data_generation"
        )


def seed(engine, demo=True):
    """Create the schema and, into a new database, the demo rows (one transaction); a summary line."""
    new = is_new(engine)
    created = create_schema(engine)
    done = ["created schema"] if created else []
    indexes = create_indexes(engine)
    if indexes:
        done.append("added indexes " + ", ".join(indexes))
    if new and demo:
        with Session(engine, future=True) as session, session.begin():
            loader = Loader(session)
            loader.load()
        done.append("added " + ", ".join(f"{table}={n}" for table, n in loader.added.items()))
    elif new:
        done.append("no demo data (HBNB_DEMO_DATA=false)")
    return "; ".join(done) if done else "nothing to add"


def describe(error):
    """One line about a failure, without SQLAlchemy's multi-line background text."""
    return str(getattr(error, "orig", None) or error).splitlines()[0]


def fail(message):
    print(f"seed: failed: {message}", file=sys.stderr)
    return 1


def main():
    try:
        url = database_url()
        demo = demo_data_wanted()
        # The URL may hold a MySQL password: messages show it masked.
        shown = make_url(url).render_as_string(hide_password=True)
    except (ConfigError, ArgumentError) as error:
        return fail(str(error))
    try:
        print("seed: " + seed(make_engine(url), demo))
    except ImportError as error:
        return fail(f"no database driver for {shown}: {error}")
    except SQLAlchemyError as error:
        return fail(f"{shown}: {describe(error)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
