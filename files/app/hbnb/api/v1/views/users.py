"""`/users`: CRUD for User. The password is write-only: stored hashed, never returned."""
from sqlalchemy import func, select

from hbnb.api.v1.blueprint import api_v1
from hbnb.api.v1.payload import Text, checked, json_body, require
from hbnb.api.v1.resources import created, deleted, listed, shown, updated
from hbnb.db import get_or_404, get_session
from hbnb.errors import ApiError
from hbnb.models import User

# The email identifies the user: set at creation, ignored on update (as in the original).
EMAIL = {"email": Text(128)}
FIELDS = {
    "password": Text(128),
    "first_name": Text(128, optional=True),
    "last_name": Text(128, optional=True),
}


@api_v1.route("/users", methods=["GET"])
def list_users():
    return listed(get_session().scalars(select(User).order_by(User.email, User.id)))


@api_v1.route("/users", methods=["POST"])
def create_user():
    data = json_body()
    require(data, "email", "password")
    fields = checked(data, {**EMAIL, **FIELDS})
    # One account per email (compared without case, as mail servers compare the domain).
    taken = select(User.id).where(func.lower(User.email) == fields["email"].lower())
    if get_session().scalars(taken).first() is not None:
        raise ApiError(409, "Email already used")
    return created(User(**fields))


@api_v1.route("/users/<user_id>", methods=["GET"])
def get_user(user_id):
    return shown(get_or_404(User, user_id))


@api_v1.route("/users/<user_id>", methods=["PUT"])
def update_user(user_id):
    user = get_or_404(User, user_id)
    return updated(user, checked(json_body(), FIELDS))


@api_v1.route("/users/<user_id>", methods=["DELETE"])
def delete_user(user_id):
    return deleted(get_or_404(User, user_id))
