"""Background worker that applies stock events (half migrated to the PyMongo Async API)."""

import asyncio

from pymongo import AsyncMongoClient, MongoClient, UpdateOne

from . import db


class StockEventWorker:
    def __init__(self, aclient: AsyncMongoClient, legacy: MongoClient):
        self.aclient = aclient
        self.events = aclient.inventory.stock_events
        self.stock = aclient.inventory.stock
        self.legacy_orders = legacy.inventory.orders
        self.legacy_audit = legacy.inventory.audit

    async def handle(self, event):
        order = await self.legacy_orders.find_one({"_id": event["order_id"]})
        self.legacy_audit.insert_one({"event": event["_id"], "order": order["_id"]})
        self.events.update_one({"_id": event["_id"]}, {"$set": {"handled": True}})

    async def apply_batch(self, events):
        async with self.aclient.start_session() as s:
            async with s.start_transaction():
                await self.stock.bulk_write(
                    [UpdateOne({"sku": e["sku"]}, {"$inc": {"qty": e["delta"]}}) for e in events],
                    session=s,
                )

    async def pending(self):
        return [event for event in self.events.find({"handled": False})]

    async def shutdown(self):
        self.aclient.close()


async def main():
    worker = StockEventWorker(db.async_client, db.client)
    while True:
        events = await worker.pending()
        if not events:
            break
        await worker.apply_batch(events)
        for event in events:
            await worker.handle(event)
    await worker.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
