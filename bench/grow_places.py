"""Adds places straight into an HBnB SQLite database, as data grows behind the API:

    python3 grow_places.py DATABASE COUNT

COUNT places, spread over the database's cities and users, each with one amenity (in turn)
and a description the size of the demo's; ids and names fixed by their number (uuid5), so
that two databases grown alike hold the same places and a cursor of one works on the other.
Moves the data's generation on (as the app does on a write), so no cached answer outlives it.
Prints `places N` (the count after).
"""
import sqlite3
import sys
import uuid

path, count = sys.argv[1], int(sys.argv[2])
NAMESPACE = uuid.UUID("0b9a6f9e-4c39-4f0e-8d7e-5b1f6a2f7c10")
DESCRIPTION = (
    "A quiet room with a view of the garden, a desk by the window and a kitchen to share. "
    "Ten minutes' walk from the station; shops, cafes and a park around the corner."
)

db = sqlite3.connect(path)
cities = [row[0] for row in db.execute("SELECT id FROM cities ORDER BY id")]
users = [row[0] for row in db.execute("SELECT id FROM users ORDER BY id")]
amenities = [row[0] for row in db.execute("SELECT id FROM amenities ORDER BY id")]
places, links = [], []
for i in range(count):
    place_id = str(uuid.uuid5(NAMESPACE, f"place/{i}"))
    places.append((
        place_id, cities[i % len(cities)], users[i % len(users)], f"Grown place {i:06d}",
        DESCRIPTION, 1 + i % 4, 1 + i % 2, 2 + i % 6, 40 + i % 200,
    ))
    links.append((place_id, amenities[i % len(amenities)]))
with db:
    db.executemany(
        "INSERT OR IGNORE INTO places (id, created_at, updated_at, city_id, user_id, name, description,"
        " number_rooms, number_bathrooms, max_guest, price_by_night)"
        " VALUES (?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?)",
        places,
    )
    db.executemany("INSERT OR IGNORE INTO place_amenity (place_id, amenity_id) VALUES (?, ?)", links)
    db.execute("UPDATE data_generation SET value = value + 1")
print("places", db.execute("SELECT count(*) FROM places").fetchone()[0])
