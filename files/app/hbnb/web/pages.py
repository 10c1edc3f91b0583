"""`/`: the HBnB page (the original's 100-hbnb), filters rendered here, places by the API."""
from flask import Blueprint, current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hbnb.db import get_session
from hbnb.models import Amenity, State

blueprint = Blueprint("pages", __name__)


@blueprint.route("/", methods=["GET"])
def hbnb():
    session = get_session()
    states = session.scalars(
        select(State).options(selectinload(State.cities)).order_by(State.name, State.id)
    ).all()
    amenities = session.scalars(select(Amenity).order_by(Amenity.name, Amenity.id)).all()
    return render_template(
        "hbnb.html",
        states=states,
        amenities=amenities,
        # A new release gets new asset URLs, so browsers never mix old CSS/JS with new HTML.
        cache_id=current_app.config["RELEASE"],
    )
