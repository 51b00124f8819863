import pytest

from inventory import Stock
from inventory.report import summary


def test_add_and_remove():
    stock = Stock()
    stock.add("apple", 3, 0.5)
    stock.add("apple", 2, 0.6)
    stock.remove("apple", 4)
    assert stock.items["apple"].quantity == 1


def test_cannot_remove_more_than_in_stock():
    stock = Stock()
    stock.add("pear", 1, 0.8)
    with pytest.raises(ValueError):
        stock.remove("pear", 2)


def test_total_value():
    stock = Stock()
    stock.add("apple", 4, 0.5)
    stock.add("pear", 2, 1.25)
    assert stock.total_value() == 4.5


def test_summary():
    stock = Stock()
    stock.add("apple", 2, 0.5)
    assert summary(stock) == "apple: 2 x 0.50\ntotal: 1.00"
