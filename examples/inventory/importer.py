"""CSV import of the product catalogue (sync PyMongo)."""

import csv

from pymongo import MongoClient
from pymongo.collection import Collection


def import_catalogue(path, products: Collection):
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            products.insert_one(row)


def import_prices(path, client: MongoClient):
    prices = client.inventory.prices
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        with client.start_session() as session:
            with session.start_transaction():
                prices.insert_one(row, session=session)
