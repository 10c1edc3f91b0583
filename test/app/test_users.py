"""CRUD for /users; passwords are stored hashed and never returned."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from hbnb.db import engine_of
from hbnb.models import User

USER = {"email": "joan@example.com", "password": "s3cret-pass", "first_name": "Joan", "last_name": "Clarke"}


def stored_password(app, user_id):
    with Session(engine_of(app), future=True) as session:
        return session.scalar(select(User.password).where(User.id == user_id))


def test_create_user_hides_the_password(api):
    created = api.create("/users", USER)
    assert "password" not in created
    assert created["email"] == "joan@example.com"
    assert created["first_name"] == "Joan"
    assert created["last_name"] == "Clarke"
    assert created["__class__"] == "User"


def test_names_are_optional(api):
    created = api.create("/users", {"email": "x@example.com", "password": "pw"})
    assert created["first_name"] is None
    assert created["last_name"] is None


def test_password_is_stored_hashed(app, api):
    created = api.create("/users", USER)
    stored = stored_password(app, created["id"])
    assert stored != USER["password"]
    assert USER["password"] not in stored
    with Session(engine_of(app), future=True) as session:
        user = session.get(User, created["id"])
        assert user.check_password(USER["password"])
        assert not user.check_password("wrong")


def test_password_never_in_any_response(seeded_client, seeded_api):
    created = seeded_api.create("/users", USER)
    updated = seeded_api.update(f"/users/{created['id']}", {"password": "other-pass"})
    bodies = [
        seeded_client.get("/api/v1/users").data,
        seeded_client.get(f"/api/v1/users/{created['id']}").data,
        seeded_client.put(f"/api/v1/users/{created['id']}", json={"first_name": "J"}).data,
    ]
    assert "password" not in created and "password" not in updated
    for body in bodies:
        assert b"password" not in body
        assert b"pbkdf2" not in body and b"scrypt" not in body
        assert b"s3cret-pass" not in body


def test_update_rehashes_password_and_ignores_email(app, api):
    created = api.create("/users", USER)
    before = stored_password(app, created["id"])
    updated = api.update(
        f"/users/{created['id']}",
        {"password": "new-pass", "email": "changed@example.com", "last_name": "Murray"},
    )
    assert updated["email"] == "joan@example.com"
    assert updated["last_name"] == "Murray"
    after = stored_password(app, created["id"])
    assert after != before and "new-pass" not in after
    with Session(engine_of(app), future=True) as session:
        assert session.get(User, created["id"]).check_password("new-pass")


def test_users_list_and_delete(api):
    first = api.create("/users", {"email": "b@example.com", "password": "pw"})
    api.create("/users", {"email": "a@example.com", "password": "pw"})
    assert [user["email"] for user in api.get("/users")] == ["a@example.com", "b@example.com"]
    api.delete(f"/users/{first['id']}")
    assert [user["email"] for user in api.get("/users")] == ["a@example.com"]


def test_deleting_a_user_deletes_their_places_and_reviews(seeded_api, ids):
    seeded_api.delete(f"/users/{ids('User', 'betty@example.com')}")
    stats = seeded_api.stats()
    # Betty owns 3 places (reviewed 4 times by others) and wrote 3 reviews elsewhere.
    assert stats["users"] == 3
    assert stats["places"] == 9
    assert stats["reviews"] == 13 - 4 - 3


def test_seeded_users_have_hashed_passwords(seeded_app):
    with Session(engine_of(seeded_app), future=True) as session:
        for password in session.scalars(select(User.password)):
            assert password.startswith(("pbkdf2:", "scrypt:"))
