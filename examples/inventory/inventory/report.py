"""Plain-text reports of a stock."""

import json

from inventory.stock import Stock


def summary(stock: Stock) -> str:
    """One line per item, then the total."""
    lines = [f"{item.name}: {item.quantity} x {item.price:.2f}" for item in stock.items.values()]
    lines.append(f"total: {stock.total_value():.2f}")
    return "\n".join(lines)
