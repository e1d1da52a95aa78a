"""The inventory features of examples/inventory, written correctly with sync PyMongo."""

import csv
import os

from pymongo import MongoClient, UpdateOne
from pymongo.errors import PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

MONGO_URI = os.environ.get("MONGO_URI", "mongodb://localhost:27017/?replicaSet=rs0&retryWrites=true")

# One shared client per process (module level): its pool is reused by every call.
client = MongoClient(MONGO_URI, maxPoolSize=50, socketTimeoutMS=20000, appname="inventory")
orders = client.inventory.orders
stock = client.inventory.stock
refunds = client.inventory.refunds


def place_order(order):
    with client.start_session() as s:
        # The with block commits on normal exit and aborts on exception: no explicit commit.
        with s.start_transaction(write_concern=WriteConcern("majority")):
            orders.insert_one(order, session=s)
            stock.bulk_write(
                [UpdateOne({"sku": line["sku"]}, {"$inc": {"qty": -line["qty"]}}) for line in order["lines"]],
                session=s,
            )
    return order["_id"]


def cancel_order(order_id):
    def cancel(s):
        order = orders.find_one_and_update(
            {"_id": order_id, "status": "open"},
            {"$set": {"status": "cancelled"}},
            session=s,
        )
        if order and order.get("paid"):
            refunds.insert_one({"order": order_id, "amount": order["total"]}, session=s)
        return order is not None

    # with_transaction commits (and retries) by itself; the callback never commits.
    with client.start_session() as s:
        return s.with_transaction(cancel, read_concern=ReadConcern("snapshot"))


def transfer(sku, source, target, qty):
    # The explicit form: commit on success, abort on failure.
    with client.start_session() as s:
        s.start_transaction()
        try:
            stock.update_one({"sku": sku, "warehouse": source}, {"$inc": {"qty": -qty}}, session=s)
            stock.update_one({"sku": sku, "warehouse": target}, {"$inc": {"qty": qty}}, session=s)
        except PyMongoError:
            s.abort_transaction()
            raise
        s.commit_transaction()


def order_history(customer_id):
    if not customer_id:
        return []
    with client.start_session(causal_consistency=True) as s:
        return list(orders.find({"customer": customer_id}, session=s))


def dashboard_counts():
    # estimated_document_count takes no session; count_documents does.
    total = orders.estimated_document_count()
    with client.start_session() as s:
        open_orders = orders.count_documents({"status": "open"}, session=s)
    return {"orders": total, "open": open_orders}


def restock(deliveries):
    # A plain def callback for the sync with_transaction.
    def apply(session):
        stock.bulk_write(
            [UpdateOne({"sku": d["sku"]}, {"$inc": {"qty": d["qty"]}}) for d in deliveries],
            session=session,
        )

    with client.start_session() as s:
        s.with_transaction(apply)


def daily_sales(day, reporting_uri):
    # A short-lived client for another cluster: a context manager closes it on every path.
    with MongoClient(reporting_uri, readPreference="secondaryPreferred", appname="reports") as reporting:
        pipeline = [
            {"$match": {"day": day, "status": "paid"}},
            {"$group": {"_id": "$sku", "total": {"$sum": "$total"}}},
        ]
        return list(reporting.inventory.orders.aggregate(pipeline))


def warehouse_totals(warehouses):
    # One client for all warehouses (one database each): nothing is built in the loop.
    return {name: client[name].stock.count_documents({}) for name in warehouses}


def check_connection(uri=MONGO_URI):
    # Bound before try, closed in finally.
    probe = MongoClient(uri, serverSelectionTimeoutMS=2000)
    try:
        probe.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        probe.close()


def import_catalogue(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if rows:
        client.inventory.products.insert_many(rows)
