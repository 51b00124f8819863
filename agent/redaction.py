"""Secrets never reach logs, recordings or error messages: everything we write passes `redact`.

Known secrets are the values of credential-like environment variables (`*_API_KEY`,
`*_TOKEN`, `*SECRET*`, `*PASSWORD*`) plus any key a model was given explicitly
(`register_secret`). Values shorter than 8 characters are not treated as secrets:
replacing them would mangle ordinary text.
"""

import os
import re
import threading

REDACTED = "[REDACTED]"
_CREDENTIAL_NAME = re.compile(r"(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE)
_MIN_SECRET_LENGTH = 8

_registered: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Treat `value` (an API key given in code or settings) as a secret from now on."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _registered.add(value)


def is_credential_name(name: str) -> bool:
    """Whether a variable's name says it holds a secret (OPENAI_API_KEY, HF_TOKEN, ...)."""
    return bool(_CREDENTIAL_NAME.search(name))


def known_secrets() -> list[str]:
    from_env = {
        value
        for name, value in os.environ.items()
        if _CREDENTIAL_NAME.search(name) and len(value) >= _MIN_SECRET_LENGTH
    }
    with _lock:
        found = from_env | _registered
    return sorted(found, key=len, reverse=True)  # longest first: a key containing another


def redact(text: str) -> str:
    for secret in known_secrets():
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFilter:
    """A logging filter that redacts known secrets from every record."""

    def filter(self, record) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
