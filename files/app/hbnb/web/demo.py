"""The exercise's first checks: a hello route and a Jinja page about a number."""
from flask import Blueprint, render_template

blueprint = Blueprint("demo", __name__)


@blueprint.route("/airbnb-onepage/", methods=["GET"])
def hello_hbnb():
    return "Hello HBNB!"


# Nginx maps the public /airbnb-dynamic/number_odd_or_even/<n> here.
@blueprint.route("/number_odd_or_even/<int:n>", methods=["GET"])
def number_odd_or_even(n):
    return render_template("number_odd_or_even.html", n=n, parity="even" if n % 2 == 0 else "odd")
