"""Async request handlers (framework-agnostic) on the PyMongo Async API."""

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection


async def low_stock(stock: AsyncCollection, threshold: int = 5):
    return list(stock.find({"qty": {"$lt": threshold}}, {"_id": 0, "sku": 1, "qty": 1}))


async def related_products(stock: AsyncCollection, category: str):
    cursor = await stock.find({"category": category}, limit=5)
    return [doc["sku"] async for doc in cursor]


async def reserve(client: AsyncMongoClient, sku: str, qty: int):
    async with await client.start_session() as s:
        async with await s.start_transaction():
            result = await client.inventory.stock.update_one(
                {"sku": sku, "qty": {"$gte": qty}}, {"$inc": {"qty": -qty}}, session=s
            )
            await client.inventory.reservations.insert_one({"sku": sku, "qty": qty}, session=s)
    return result.modified_count == 1
