"""Low-stock notifier, still on Motor (deprecated, end of life 2026-05-14)."""

from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorCollection

LOW_STOCK = [{"$match": {"operationType": "update", "fullDocument.qty": {"$lt": 5}}}]


async def notify_low_stock(uri: str, outbox: list) -> None:
    client = AsyncIOMotorClient(uri)
    stock: AsyncIOMotorCollection = client.inventory.stock
    try:
        async with stock.watch(LOW_STOCK, full_document="updateLookup") as changes:
            async for change in changes:
                outbox.append(change["fullDocument"]["sku"])
                if len(outbox) >= 10:
                    break
    finally:
        client.close()
