"""What transient and permanent provider failures look like, for every HTTP back end.

openai, litellm and huggingface_hub raise different classes, but they all carry an
HTTP status (or are connection/timeout errors), which is what decides a retry.
"""

from agent.models import ModelError
from agent.redaction import redact

TRANSIENT_STATUS = {408, 409, 425, 429, 500, 502, 503, 504, 529}


def status_of(error: Exception) -> int | None:
    for holder in (error, getattr(error, "response", None)):
        status = getattr(holder, "status_code", None)
        if isinstance(status, int):
            return status
    return None


def is_transient(error: Exception) -> bool:
    status = status_of(error)
    if status is not None:
        return status in TRANSIENT_STATUS
    name = type(error).__name__
    return any(word in name for word in ("Timeout", "Connection", "ServiceUnavailable", "RateLimit"))


def model_error(error: Exception, model: str, endpoint: str | None, key_hint: str) -> ModelError:
    """A clear, key-free ModelError for a failure that survived the retries."""
    status = status_of(error)
    where = f" at {endpoint}" if endpoint else ""
    if status in (401, 403) or "Authentication" in type(error).__name__:
        text = f"{model}: authentication failed{where}. Check the API key ({key_hint})."
    elif status == 404 or "NotFound" in type(error).__name__:
        text = f"{model}: the model or endpoint was not found{where}. Check the model name and the API base."
    elif status == 429 or "RateLimit" in type(error).__name__:
        text = f"{model}: rate limited or out of quota{where}, even after retries. Try again later."
    elif is_transient(error):
        text = f"{model}: the service is unreachable or failing{where} ({type(error).__name__}), even after retries."
    else:
        detail = str(error)[:500]
        text = f"{model}: the request failed{where}: {type(error).__name__}: {detail}"
    return ModelError(redact(text))
