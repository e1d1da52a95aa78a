"""The worker and handlers of examples/inventory, written correctly with the PyMongo Async API."""

import asyncio
import os

from pymongo import AsyncMongoClient, MongoClient, UpdateOne
from pymongo.write_concern import WriteConcern

MONGO_URI = os.environ.get("MONGO_URI", "mongodb://localhost:27017/?replicaSet=rs0")

# One shared async client per process (module level).
client = AsyncMongoClient(MONGO_URI, maxPoolSize=50, appname="inventory-worker")
events = client.inventory.stock_events
stock = client.inventory.stock

# A sync client kept for a legacy export path; only ever called through asyncio.to_thread.
legacy = MongoClient(MONGO_URI, appname="inventory-legacy")


async def handle(event):
    order = await client.inventory.orders.find_one({"_id": event["order_id"]})
    await client.inventory.audit.insert_one({"event": event["_id"], "order": order["_id"] if order else None})
    await events.update_one({"_id": event["_id"]}, {"$set": {"handled": True}})


async def apply_batch(batch):
    # start_session() is a plain method; start_transaction() is a coroutine.
    async with client.start_session() as s:
        async with await s.start_transaction():
            await stock.bulk_write(
                [UpdateOne({"sku": e["sku"]}, {"$inc": {"qty": e["delta"]}}) for e in batch],
                session=s,
            )


async def reserve(sku, qty):
    # An async def callback for the async with_transaction.
    async def take(s):
        result = await stock.update_one({"sku": sku, "qty": {"$gte": qty}}, {"$inc": {"qty": -qty}}, session=s)
        if result.modified_count == 1:
            await client.inventory.reservations.insert_one({"sku": sku, "qty": qty}, session=s)
        return result.modified_count == 1

    async with client.start_session() as s:
        return await s.with_transaction(take)


async def pending(limit=100):
    # find() is not awaited; to_list() is.
    return await events.find({"handled": False}).to_list(limit)


async def low_stock(threshold=5):
    return [doc async for doc in stock.find({"qty": {"$lt": threshold}}, {"_id": 0, "sku": 1, "qty": 1})]


async def related_products(category):
    cursor = stock.find({"category": category}, limit=5)
    return [doc["sku"] async for doc in cursor]


async def sales_by_sku(day):
    # aggregate() is a coroutine in PyMongo Async: await it, then iterate.
    rows = []
    pipeline = [{"$match": {"day": day}}, {"$group": {"_id": "$sku", "n": {"$sum": 1}}}]
    async for row in await client.inventory.orders.aggregate(pipeline):
        rows.append(row)
    return rows


async def record_audit(entry):
    # with_options() is a plain method; insert_one() is a coroutine.
    audit = client.inventory.audit.with_options(write_concern=WriteConcern(w="majority"))
    await audit.insert_one(entry)


async def legacy_export(doc):
    # The blocking sync call runs in a worker thread, not on the event loop.
    await asyncio.to_thread(legacy.inventory.exports.insert_one, doc)


async def ping(uri):
    # A short-lived async client: async with closes it.
    async with AsyncMongoClient(uri, serverSelectionTimeoutMS=2000) as probe:
        return await probe.admin.command("ping")


async def shutdown():
    await client.close()


async def main():
    try:
        while batch := await pending():
            await apply_batch(batch)
            for event in batch:
                await handle(event)
    finally:
        await shutdown()


if __name__ == "__main__":
    asyncio.run(main())
