from smolagents import Tool
from typing import Any, Optional

class SimpleTool(Tool):
    name = "count_vowels"
    description = "Count the vowels in a text."
    inputs = {'text': {'type': 'string', 'description': 'The text to look at.'}, 'include_y': {'type': 'boolean', 'nullable': True, 'description': 'Whether "y" counts as a vowel.'}}
    output_type = "integer"

    def forward(self, text: str, include_y: bool = False) -> int:
        """Count the vowels in a text.

        Args:
            text: The text to look at.
            include_y: Whether "y" counts as a vowel.
        """
        vowels = "aeiouy" if include_y else "aeiou"
        return len([letter for letter in text.lower() if letter in vowels])