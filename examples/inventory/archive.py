"""Nightly archiving: move closed orders to the archive cluster, watch for returns."""

import asyncio

from pymongo import AsyncMongoClient, MongoClient

from inventory.db import MONGO_URI

ARCHIVE_URI = "mongodb://archive.internal:27017/?replicaSet=arch"
# The archiver runs as its own process, with its own clients.
client = MongoClient(MONGO_URI, appname="inventory-archiver")
async_client = AsyncMongoClient(MONGO_URI, appname="inventory-archiver")
archive_client = MongoClient(ARCHIVE_URI, appname="inventory-archiver")


def archive_closed_orders():
    orders = client.shop.orders
    with client.start_session() as s:
        for order in orders.find({"status": "closed"}, session=s):
            archive_client.archive.orders.insert_one(order, session=s)
            orders.delete_one({"_id": order["_id"]}, session=s)
    client.shop.audit.insert_one({"archived": True}, session=s)


def rebuild_search_index(index):
    cursor = client.shop.products.find({}, no_cursor_timeout=True)
    for product in cursor:
        if product.get("discontinued"):
            break
        index.add(product)


def watch_returns(handle):
    stream = client.shop.returns.watch([{"$match": {"operationType": "insert"}}])
    for change in stream:
        handle(change["fullDocument"])


def recount_stock():
    with client.start_session() as s:
        stock = client.shop.stock
        for item in stock.find({}):
            stock.update_one({"_id": item["_id"]}, {"$set": {"counted": True}})


async def restock_all(skus):
    async with async_client.start_session() as s:
        await asyncio.gather(*[async_client.shop.stock.update_one({"sku": sku}, {"$inc": {"qty": 10}}, session=s)
                               for sku in skus])


def export_to_csv(path):
    report_client = MongoClient(MONGO_URI)
    try:
        sales = report_client.shop.sales
        rows = [(sale["sku"], sale["total"]) for sale in sales.find({})]
    finally:
        report_client.close()
    sales.update_many({}, {"$set": {"exported": True}})
    with open(path, "w") as out:
        out.writelines(f"{sku},{total}\n" for sku, total in rows)


def adjust_prices(changes):
    with client.start_session() as s:
        with s.start_transaction():
            for sku, price in changes.items():
                client.shop.products.update_one({"sku": sku}, {"$set": {"price": price}}, session=s)
            with s.start_transaction():
                client.shop.audit.insert_one({"prices": len(changes)}, session=s)
