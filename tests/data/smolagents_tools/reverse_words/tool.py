from typing import Any, Optional
from smolagents.tools import Tool

class Reverse(Tool):
    name = "reverse_words"
    description = "Reverse the order of the words in a sentence."
    inputs = {'sentence': {'type': 'string', 'description': 'The sentence.'}}
    output_type = "string"

    def setup(self):
        self.separator = " "

    def forward(self, sentence: str) -> str:
        return self.separator.join(reversed(sentence.split()))

    def __init__(self, *args, **kwargs):
        self.is_initialized = False
