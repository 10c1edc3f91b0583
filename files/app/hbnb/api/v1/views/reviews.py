"""`/places/<id>/reviews` and `/reviews/<id>`: CRUD for Review."""
from hbnb.api.v1.blueprint import api_v1
from hbnb.api.v1.payload import Text, checked, id_field, json_body, require
from hbnb.api.v1.resources import created, deleted, listed, shown, updated
from hbnb.db import get_or_404
from hbnb.models import Place, Review, User

# place_id (from the URL) and user_id (the author) never change once the review exists.
FIELDS = {"text": Text(1024)}


@api_v1.route("/places/<place_id>/reviews", methods=["GET"])
def list_reviews(place_id):
    place = get_or_404(Place, place_id)
    return listed(sorted(place.reviews, key=lambda review: (review.created_at, review.id)))


@api_v1.route("/places/<place_id>/reviews", methods=["POST"])
def create_review(place_id):
    place = get_or_404(Place, place_id)
    # The original's order of checks: body, author given, author exists, then text.
    data = json_body()
    author = get_or_404(User, id_field(data, "user_id"))
    require(data, "text")
    return created(Review(place_id=place.id, user_id=author.id, **checked(data, FIELDS)))


@api_v1.route("/reviews/<review_id>", methods=["GET"])
def get_review(review_id):
    return shown(get_or_404(Review, review_id))


@api_v1.route("/reviews/<review_id>", methods=["PUT"])
def update_review(review_id):
    review = get_or_404(Review, review_id)
    return updated(review, checked(json_body(), FIELDS))


@api_v1.route("/reviews/<review_id>", methods=["DELETE"])
def delete_review(review_id):
    return deleted(get_or_404(Review, review_id))
