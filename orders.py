from pymongo import MongoClient

client = MongoClient("mongodb://localhost:27017")


def archive(order_id):
    session = client.start_session()
    order = client.shop.orders.find_one({"_id": order_id}, session=session)
    client.shop.archive.insert_one(order, session=session)
