"""Tools to save and load in tests/agent/test_sharing.py: one portable @tool, one portable
Tool subclass, and tools that cannot be saved on their own (what a user might write)."""

import re
import textwrap
from typing import Any

from agent import Tool, tool

PRICES = {"apple": 1.0}


@tool
def word_count(text: str, min_length: int = 1) -> int:
    """Count the words of a text.

    Args:
        text: The text.
        min_length: Shortest word to count.
    """
    return len([word for word in re.findall(r"\w+", text) if len(word) >= min_length])


class Shorten(Tool):
    name = "shorten"
    description = "Shorten a text to a width, on word boundaries."
    inputs = {
        "text": {"type": "string", "description": "The text."},
        "width": {"type": "integer", "description": "Most characters.", "nullable": True},
    }
    output_type = "string"

    def forward(self, text: str, width: int | None = None) -> Any:
        return textwrap.shorten(text, width or 20, placeholder="...")


@tool
def price(item: str) -> float:
    """The price of an item.

    Args:
        item: The item.
    """
    return PRICES[item]


def make_greeter(greeting: str) -> Tool:
    @tool
    def greet(name: str) -> str:
        """Greet someone.

        Args:
            name: Who.
        """
        return f"{greeting}, {name}"

    return greet


class Configured(Tool):
    name = "configured"
    description = "Needs a setting to be created."
    inputs = {}
    output_type = "string"

    def __init__(self, setting: str):
        self.setting = setting

    def forward(self) -> str:
        return self.setting
