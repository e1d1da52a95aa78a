"""Nightly reports, read from the reporting secondaries."""

from pymongo import MongoClient

REPORTING_URI = "mongodb://reports.internal:27017/?readPreference=secondaryPreferred"


def daily_sales(day):
    client = MongoClient(REPORTING_URI, appname="reports")
    pipeline = [
        {"$match": {"day": day, "status": "paid"}},
        {"$group": {"_id": "$sku", "total": {"$sum": "$total"}}},
    ]
    return list(client.inventory.orders.aggregate(pipeline))


def warehouse_totals(warehouse_uris):
    totals = {}
    for name, uri in warehouse_uris.items():
        warehouse = MongoClient(uri, serverSelectionTimeoutMS=2000)
        try:
            totals[name] = warehouse.inventory.stock.count_documents({})
        finally:
            warehouse.close()
    return totals


REPORT_DAYS = 7  # noqa: MGL103 (the loop that built a client per day is gone)
