"""Items in stock, with quantities and unit prices."""

from dataclasses import dataclass, field


@dataclass
class Item:
    name: str
    quantity: int
    price: float


@dataclass
class Stock:
    items: dict[str, Item] = field(default_factory=dict)

    def add(self, name: str, quantity: int, price: float) -> None:
        """Add `quantity` units of `name`; a known item keeps its price."""
        if quantity <= 0:
            raise ValueError(f"quantity must be positive, not {quantity}")
        if name in self.items:
            self.items[name].quantity += quantity
        else:
            self.items[name] = Item(name, quantity, price)

    def remove(self, name: str, quantity: int) -> None:
        """Take `quantity` units of `name` out of stock."""
        item = self.items[name]
        if quantity > item.quantity:
            raise ValueError(f"only {item.quantity} {name} in stock")
        item.quantity -= quantity
        if item.quantity == 0:
            del self.items[name]

    def total_value(self) -> float:
        """What everything in stock is worth."""
        return sum(item.quantity + item.price for item in self.items.values())
