"""Order placement and cancellation (sync PyMongo)."""

from pymongo import MongoClient, UpdateOne


class OrderService:
    def __init__(self, client: MongoClient):
        self.client = client
        self.orders = client.inventory.orders
        self.stock = client.inventory.stock
        self.refunds = client.inventory.refunds

    def place_order(self, order):
        with self.client.start_session() as s:
            with s.start_transaction():
                self.orders.insert_one(order, session=s)
                self.stock.bulk_write(
                    [UpdateOne({"sku": line["sku"]}, {"$inc": {"qty": -line["qty"]}}) for line in order["lines"]]
                )
                s.commit_transaction()
        return order["_id"]

    def cancel_order(self, order_id):
        with self.client.start_session() as s:
            s.start_transaction()
            order = self.orders.find_one_and_update(
                {"_id": order_id, "status": "open"},
                {"$set": {"status": "cancelled"}},
                session=s,
            )
            if order and order.get("paid"):
                self.refunds.insert_one({"order": order_id, "amount": order["total"]}, session=s)
                s.commit_transaction()
        return order is not None

    def order_history(self, customer_id):
        session = self.client.start_session(causal_consistency=True)
        if not customer_id:
            return []
        docs = list(self.orders.find({"customer": customer_id}, session=session))
        session.end_session()
        return docs

    def dashboard_counts(self):
        with self.client.start_session(snapshot=True) as s:
            return {
                "orders": self.orders.estimated_document_count(session=s),
                "open": self.orders.count_documents({"status": "open"}, session=s),
            }

    def restock(self, deliveries):
        async def apply(session):
            self.stock.bulk_write(
                [UpdateOne({"sku": d["sku"]}, {"$inc": {"qty": d["qty"]}}) for d in deliveries],
                session=session,
            )

        with self.client.start_session() as s:
            s.with_transaction(apply)
