"""`/status` and `/stats`: is the API up, and how many objects of each class exist."""
from flask import jsonify
from sqlalchemy import func, select

from hbnb.api.v1.blueprint import api_v1
from hbnb.db import get_session
from hbnb.models import Amenity, City, Place, Review, State, User

# The original's keys: the plural names of the classes.
COUNTED = {
    "amenities": Amenity,
    "cities": City,
    "places": Place,
    "reviews": Review,
    "states": State,
    "users": User,
}


@api_v1.route("/status", methods=["GET"])
def status():
    return jsonify(status="OK")


@api_v1.route("/stats", methods=["GET"])
def stats():
    session = get_session()
    return jsonify(
        {key: session.scalar(select(func.count()).select_from(model)) for key, model in COUNTED.items()}
    )
