"""The demo rows `python3 -m hbnb.seed` loads: plain data, keyed by natural names.

Seeded users get a random password (see seed.py): there is no login, and a known
password on a public demo would be an invitation.
"""

# State name -> its cities.
STATES = {
    "Arizona": ["Phoenix", "Sedona", "Tucson"],
    "California": ["Los Angeles", "San Diego", "San Francisco"],
    "Colorado": ["Boulder", "Denver"],
    "Hawaii": ["Honolulu", "Kailua"],
    "Illinois": ["Chicago", "Naperville"],
    "Louisiana": ["Baton Rouge", "New Orleans"],
    "New York": ["Buffalo", "New York"],
    "Oregon": ["Bend", "Portland"],
    "Texas": ["Austin", "Houston"],
    "Washington": ["Seattle", "Spokane"],
}

AMENITIES = [
    "Air conditioning",
    "Breakfast",
    "Dryer",
    "Free parking",
    "Heating",
    "Hot tub",
    "Kitchen",
    "Pets allowed",
    "Pool",
    "TV",
    "Washer",
    "Wifi",
]

# email, first name, last name
USERS = [
    ("betty@example.com", "Betty", "Holberton"),
    ("grace@example.com", "Grace", "Hopper"),
    ("ada@example.com", "Ada", "Lovelace"),
    ("alan@example.com", "Alan", "Turing"),
]

# Each place: where, whose, and what it offers.
PLACES = [
    {
        "name": "Sunny loft near the bay",
        "state": "California", "city": "San Francisco", "owner": "betty@example.com",
        "description": "A bright loft with a view over the bay.\nTen minutes from the ferry.",
        "number_rooms": 1, "number_bathrooms": 1, "max_guest": 2, "price_by_night": 180,
        "latitude": 37.7749, "longitude": -122.4194,
        "amenities": ["Wifi", "Kitchen", "Heating", "Washer"],
    },
    {
        "name": "Venice beach bungalow",
        "state": "California", "city": "Los Angeles", "owner": "grace@example.com",
        "description": "A small bungalow two streets from the sand, with a garden for surfboards.",
        "number_rooms": 2, "number_bathrooms": 1, "max_guest": 4, "price_by_night": 210,
        "latitude": 33.985, "longitude": -118.4695,
        "amenities": ["Wifi", "Air conditioning", "Free parking", "TV"],
    },
    {
        "name": "Gaslamp studio",
        "state": "California", "city": "San Diego", "owner": "ada@example.com",
        "description": "A compact studio in the Gaslamp Quarter, above a quiet bookshop.",
        "number_rooms": 1, "number_bathrooms": 1, "max_guest": 2, "price_by_night": 95,
        "latitude": 32.7114, "longitude": -117.1597,
        "amenities": ["Wifi", "Air conditioning"],
    },
    {
        "name": "Red rock cabin",
        "state": "Arizona", "city": "Sedona", "owner": "alan@example.com",
        "description": "A wooden cabin facing the red rocks; the hot tub is best at sunset.",
        "number_rooms": 2, "number_bathrooms": 1, "max_guest": 4, "price_by_night": 160,
        "latitude": 34.8697, "longitude": -111.761,
        "amenities": ["Hot tub", "Free parking", "Kitchen", "Pets allowed"],
    },
    {
        "name": "Desert pool house",
        "state": "Arizona", "city": "Phoenix", "owner": "betty@example.com",
        "description": "A mid-century house with a pool and shade all afternoon.",
        "number_rooms": 3, "number_bathrooms": 2, "max_guest": 6, "price_by_night": 240,
        "latitude": 33.4484, "longitude": -112.074,
        "amenities": ["Pool", "Air conditioning", "Wifi", "Free parking", "Washer", "Dryer"],
    },
    {
        "name": "Flatirons guest room",
        "state": "Colorado", "city": "Boulder", "owner": "grace@example.com",
        "description": "A guest room with its own entrance, at the foot of the trails.",
        "number_rooms": 1, "number_bathrooms": 1, "max_guest": 2, "price_by_night": 85,
        "latitude": 40.015, "longitude": -105.2705,
        "amenities": ["Wifi", "Breakfast", "Heating"],
    },
    {
        "name": "Waikiki ocean view",
        "state": "Hawaii", "city": "Honolulu", "owner": "ada@example.com",
        "description": "A twelfth-floor apartment with a balcony over the ocean.",
        "number_rooms": 2, "number_bathrooms": 2, "max_guest": 5, "price_by_night": 320,
        "latitude": 21.2793, "longitude": -157.8292,
        "amenities": ["Pool", "Air conditioning", "Wifi", "TV"],
    },
    {
        "name": "Loop apartment",
        "state": "Illinois", "city": "Chicago", "owner": "alan@example.com",
        "description": "A high-ceilinged apartment by the river, close to the L.",
        "number_rooms": 2, "number_bathrooms": 1, "max_guest": 3, "price_by_night": 150,
        "latitude": 41.8781, "longitude": -87.6298,
        "amenities": ["Wifi", "Heating", "Kitchen", "Washer", "Dryer"],
    },
    {
        "name": "French Quarter balcony",
        "state": "Louisiana", "city": "New Orleans", "owner": "betty@example.com",
        "description": "Two rooms over a courtyard, with an iron balcony on Royal Street.",
        "number_rooms": 2, "number_bathrooms": 1, "max_guest": 4, "price_by_night": 175,
        "latitude": 29.9584, "longitude": -90.0644,
        "amenities": ["Air conditioning", "Wifi", "Breakfast"],
    },
    {
        "name": "Brooklyn brownstone floor",
        "state": "New York", "city": "New York", "owner": "grace@example.com",
        "description": "The parlor floor of a brownstone, with a garden and a piano.",
        "number_rooms": 3, "number_bathrooms": 2, "max_guest": 6, "price_by_night": 290,
        "latitude": 40.6782, "longitude": -73.9442,
        "amenities": ["Wifi", "Heating", "Kitchen", "TV", "Pets allowed"],
    },
    {
        "name": "Pearl District flat",
        "state": "Oregon", "city": "Portland", "owner": "ada@example.com",
        "description": "A flat above a coffee roaster; bikes included.",
        "number_rooms": 1, "number_bathrooms": 1, "max_guest": 2, "price_by_night": 120,
        "latitude": 45.5152, "longitude": -122.6784,
        "amenities": ["Wifi", "Heating", "Pets allowed"],
    },
    {
        "name": "South Congress casita",
        "state": "Texas", "city": "Austin", "owner": "alan@example.com",
        "description": "A casita behind the main house, a walk from the music venues.",
        "number_rooms": 1, "number_bathrooms": 1, "max_guest": 3, "price_by_night": 110,
        "latitude": 30.2672, "longitude": -97.7431,
        "amenities": ["Air conditioning", "Pool", "Free parking", "Wifi"],
    },
]

# place name, author email, text
REVIEWS = [
    ("Sunny loft near the bay", "grace@example.com", "Lovely light and a very quiet street."),
    ("Sunny loft near the bay", "alan@example.com", "Great host; the ferry tip saved us an hour."),
    ("Venice beach bungalow", "betty@example.com", "Perfect for a surf week."),
    ("Gaslamp studio", "alan@example.com", "Small but spotless, and the bookshop is a bonus."),
    ("Red rock cabin", "ada@example.com", "The sunset from the hot tub is worth the trip."),
    ("Desert pool house", "grace@example.com", "The pool kept us alive in July."),
    ("Flatirons guest room", "betty@example.com", "Trail at the door and a real breakfast."),
    ("Waikiki ocean view", "alan@example.com", "We watched surfers every morning."),
    ("Loop apartment", "ada@example.com", "Central and calm despite the trains."),
    ("French Quarter balcony", "grace@example.com", "Music every night from the courtyard."),
    ("Brooklyn brownstone floor", "betty@example.com", "The piano was in tune!"),
    ("Pearl District flat", "alan@example.com", "Best coffee smell to wake up to."),
    ("South Congress casita", "ada@example.com", "Quiet casita, loud and happy evenings nearby."),
]
