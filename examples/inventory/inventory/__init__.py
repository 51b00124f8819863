"""Keep stock of items and report on it."""

from inventory.stock import Item, Stock

__all__ = ["Item", "Stock"]
