"""CRUD for reviews: /places/<id>/reviews and /reviews/<id>."""


def test_reviews_of_a_place(seeded_api, ids):
    reviews = seeded_api.get(f"/places/{ids('Place', 'Sunny loft near the bay')}/reviews")
    assert len(reviews) == 2
    assert all(review["__class__"] == "Review" for review in reviews)
    assert {review["user_id"] for review in reviews} == {
        ids("User", "grace@example.com"), ids("User", "alan@example.com"),
    }


def test_create_get_update_delete_review(seeded_api, ids):
    place = ids("Place", "Gaslamp studio")
    author = ids("User", "betty@example.com")
    review = seeded_api.create(f"/places/{place}/reviews", {"user_id": author, "text": "Cosy."})
    assert review["place_id"] == place
    assert review["user_id"] == author
    assert review["text"] == "Cosy."
    assert seeded_api.get(f"/reviews/{review['id']}") == review
    assert review in seeded_api.get(f"/places/{place}/reviews")

    updated = seeded_api.update(
        f"/reviews/{review['id']}",
        {"text": "Very cosy.", "user_id": ids("User", "ada@example.com"), "place_id": "x"},
    )
    assert updated["text"] == "Very cosy."
    assert updated["user_id"] == author
    assert updated["place_id"] == place

    seeded_api.delete(f"/reviews/{review['id']}")
    assert seeded_api.get(f"/reviews/{review['id']}", status=404) == {"error": "Not found"}
    assert seeded_api.stats()["reviews"] == 13


def test_reviews_of_an_unknown_place_are_404(api):
    assert api.get("/places/nope/reviews", status=404) == {"error": "Not found"}
