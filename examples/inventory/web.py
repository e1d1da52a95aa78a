"""The stock page of the web front end (Flask)."""

from flask import Flask, jsonify
from pymongo import MongoClient

from inventory.db import MONGO_URI, client

app = Flask(__name__)


@app.route("/stock/<sku>")
def stock_level(sku):
    with MongoClient(MONGO_URI) as per_request:
        item = per_request.inventory.stock.find_one({"sku": sku})
    return jsonify(item)


@app.route("/stock")
def stock_list():
    # Right: the module-level client of db.py, shared by every request.
    return jsonify(list(client.inventory.stock.find({}, {"_id": 0})))
