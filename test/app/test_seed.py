"""python3 -m hbnb.seed: schema and demo data, idempotent, one line of output."""
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Session

from hbnb.db import make_engine
from hbnb.models import Amenity, Base, Review, State, User, place_amenity
from hbnb.models.base import utcnow
from hbnb.seed import demo_id, seed

RELEASE_ROOT = Path(__file__).resolve().parents[2] / "files" / "app"


def snapshot(engine):
    """Every row of every data table, as sorted tuples (not the data generation, which each
    seed moves on: tested in test_generation.py)."""
    with engine.connect() as connection:
        return {
            table.name: sorted(tuple(row) for row in connection.execute(select(table)))
            for table in Base.metadata.sorted_tables
            if table.name != "data_generation"
        }


def run_seed(**env):
    """`python3 -m hbnb.seed` from the release root, with only the given HBNB_ variables."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("HBNB_")
    }
    environment.update(PYTHONDONTWRITEBYTECODE="1", **env)
    return subprocess.run(
        [sys.executable, "-m", "hbnb.seed"], cwd=RELEASE_ROOT, env=environment,
        capture_output=True, text=True, timeout=120,
    )


def test_seeding_twice_leaves_the_same_rows(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/hbnb.db")
    first = seed(engine)
    assert first.startswith("created schema; added ")
    rows = snapshot(engine)
    assert {name: len(table_rows) for name, table_rows in rows.items()} == {
        "states": 10, "cities": 22, "amenities": 12, "users": 4, "places": 12,
        "reviews": 13, "place_amenity": 47,
    }
    assert seed(engine) == "nothing to add"
    # Same rows, same ids, same timestamps, same password hashes.
    assert snapshot(engine) == rows
    engine.dispose()


def test_a_database_of_an_older_release_gets_the_new_indexes_once(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/hbnb.db")
    seed(engine)
    with engine.begin() as connection:
        for name in ("ix_places_name_id", "ix_places_city_id", "ix_place_amenity_amenity"):
            connection.exec_driver_sql(f"DROP INDEX {name}")
    rows = snapshot(engine)
    assert seed(engine) == "added indexes ix_places_city_id, ix_places_name_id, ix_place_amenity_amenity"
    assert {index["name"] for index in inspect(engine).get_indexes("places")} == {
        "ix_places_city_id", "ix_places_name_id",
    }
    assert seed(engine) == "nothing to add"
    assert snapshot(engine) == rows
    engine.dispose()


def test_a_later_seed_never_restores_nor_changes_a_row(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/hbnb.db")
    seed(engine)
    texas = demo_id("State", "Texas")
    gone = demo_id("Review", "Gaslamp studio", "alan@example.com")
    with engine.begin() as connection:
        connection.execute(Review.__table__.delete().where(Review.id == gone))
        connection.execute(State.__table__.update().where(State.id == texas).values(name="Lone Star"))
        connection.execute(Amenity.__table__.insert().values(
            id="mine", name="Sauna", created_at=utcnow(), updated_at=utcnow(),
        ))
    rows = snapshot(engine)
    assert seed(engine) == "nothing to add"
    assert snapshot(engine) == rows
    with engine.connect() as connection:
        assert connection.execute(select(Review.id).where(Review.id == gone)).first() is None
        assert connection.execute(select(State.name).where(State.id == texas)).scalar() == "Lone Star"
    engine.dispose()


def test_a_database_emptied_by_its_users_stays_empty(tmp_path):
    # Every row deleted, as the API would (its writes move the data generation on).
    engine = make_engine(f"sqlite:///{tmp_path}/hbnb.db")
    seed(engine)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "data_generation":
                connection.execute(table.delete())
    assert seed(engine) == "nothing to add"
    assert {name: len(table_rows) for name, table_rows in snapshot(engine).items()} == {
        "states": 0, "cities": 0, "amenities": 0, "users": 0, "places": 0, "reviews": 0, "place_amenity": 0,
    }
    engine.dispose()


def test_without_demo_data_a_new_database_gets_the_schema_only(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/hbnb.db")
    assert seed(engine, demo=False) == "created schema; no demo data (HBNB_DEMO_DATA=false)"
    assert all(len(table_rows) == 0 for table_rows in snapshot(engine).values())
    # Still new (nobody wrote to it): turned on later, the demo data goes in.
    assert seed(engine).startswith("added states=10, ")
    engine.dispose()


def test_demo_data_setting_must_be_true_or_false(tmp_path):
    result = run_seed(HBNB_DATABASE_URL=f"sqlite:///{tmp_path}/hbnb.db", HBNB_DEMO_DATA="yes")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "seed: failed: HBNB_DEMO_DATA must be true or false, not 'yes'\n"


def test_demo_rows_have_fixed_ids(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/hbnb.db")
    seed(engine)
    with engine.connect() as connection:
        name = connection.execute(select(State.name).where(State.id == demo_id("State", "Texas"))).scalar()
        links = connection.execute(select(place_amenity)).all()
    assert name == "Texas"
    assert (demo_id("Place", "Red rock cabin"), demo_id("Amenity", "Hot tub")) in links
    engine.dispose()


def test_seed_command_prints_one_line_and_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path}/hbnb.db"
    first = run_seed(HBNB_DATABASE_URL=url)
    assert first.returncode == 0, first.stderr
    assert first.stdout == (
        "seed: created schema; added states=10, cities=22, amenities=12, users=4, "
        "places=12, place_amenity=47, reviews=13\n"
    )
    assert first.stderr == ""
    second = run_seed(HBNB_DATABASE_URL=url)
    assert (second.returncode, second.stdout, second.stderr) == (0, "seed: nothing to add\n", "")
    engine = create_engine(url, future=True)
    assert set(inspect(engine).get_table_names()) == {table.name for table in Base.metadata.sorted_tables}
    with engine.connect() as connection:
        # WAL, so that readers and the writer do not block each other.
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_seed_command_fails_in_one_line_when_the_database_is_not_writable(tmp_path):
    result = run_seed(HBNB_DATABASE_URL=f"sqlite:///{tmp_path}/missing-dir/hbnb.db")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("seed: failed: sqlite:///")
    assert "unable to open database file" in result.stderr
    assert "Traceback" not in result.stderr


def test_seed_command_fails_on_incomplete_mysql_settings():
    result = run_seed(HBNB_TYPE_STORAGE="db", HBNB_MYSQL_USER="hbnb")
    assert result.returncode == 1
    assert result.stderr == "seed: failed: HBNB_TYPE_STORAGE=db needs HBNB_MYSQL_DB\n"


def test_seed_command_masks_the_mysql_password():
    result = run_seed(
        HBNB_TYPE_STORAGE="db", HBNB_MYSQL_USER="hbnb", HBNB_MYSQL_PWD="t0p-secret",
        HBNB_MYSQL_DB="hbnb", HBNB_MYSQL_HOST="127.0.0.1",
    )
    # No MySQL here: it fails (no driver, or no server), without showing the password.
    assert result.returncode == 1
    assert result.stderr.startswith("seed: failed: ")
    assert result.stderr.count("\n") == 1
    assert "t0p-secret" not in result.stderr
    assert "hbnb:***@127.0.0.1" in result.stderr


def test_seeded_users_are_not_logged_in_by_a_known_password(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/hbnb.db")
    seed(engine)
    with Session(engine, future=True) as session:
        for user in session.scalars(select(User)):
            assert not user.check_password("")
            assert not user.check_password(user.email)
    engine.dispose()
