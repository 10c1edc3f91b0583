"""The HTML side: the HBnB page and the two classic demo routes."""
