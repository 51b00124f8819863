"""What running a snippet gives back: a `CodeOutput`, or an `InterpreterError`."""

from dataclasses import dataclass
from typing import Any


@dataclass
class CodeOutput:
    """`output` is the `final_answer(...)` value or the snippet's last expression;
    `logs` is the captured `print` text."""

    output: Any
    logs: str
    is_final_answer: bool


class InterpreterError(Exception):
    """The snippet failed; the message is what the model needs to fix its code
    (exception type, message, line). `logs` holds what it printed before failing."""

    def __init__(self, message: str, logs: str = ""):
        super().__init__(message)
        self.logs = logs
