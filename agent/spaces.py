"""A Gradio Space (or any Gradio app) as a tool, through `gradio_client` (the `hub` extra).

    image = Tool.from_space("black-forest-labs/FLUX.1-schnell", "image_generator", "Make an image from a prompt")
    greet = Tool.from_space("http://127.0.0.1:7860/", "greet", "Greet someone", api_name="/greet")

The tool's inputs come from the Space's API info (`view_api`): one per parameter,
with its type, and optional where the Space has a default. A call runs the Space's
endpoint with a timeout; a Space that is down, fails or takes too long raises
`ExternalToolError`, which the model sees as the step's observation.
"""

import os
import re
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any

from agent.errors import ExternalToolError
from agent.json_schema import type_of
from agent.tools import Tool

CALL_TIMEOUT = 300.0  # seconds; Spaces on shared hardware queue and cold-start
FILE_COMPONENTS = {"File", "Image", "Audio", "Video", "Model3D", "Gallery"}


class SpaceTool(Tool):
    def __init__(
        self,
        space_id: str,
        name: str,
        description: str = "",
        api_name: str | None = None,
        token: str | None = None,
        timeout: float = CALL_TIMEOUT,
    ):
        client_class = _import_gradio_client().Client
        self.space_id = space_id
        self.timeout = timeout
        try:
            self.client = client_class(space_id, token=token, verbose=False, analytics_enabled=False)
            api = self.client.view_api(return_format="dict", print_info=False)
        except Exception as e:  # gradio_client raises httpx, ValueError, HfHub errors...: all mean "unusable"
            raise ConnectionError(f"the Space {space_id} is not reachable: {type(e).__name__}: {e}") from None
        endpoints = api.get("named_endpoints") or {}
        if not endpoints:
            raise ValueError(f"the Space {space_id} has no named API endpoint to call")
        self.api_name = _endpoint(api_name, endpoints, space_id)
        endpoint = endpoints[self.api_name]
        self.name = name
        self.description = description or endpoint.get("description") or f"The Space {space_id}."
        self.parameters = endpoint.get("parameters", [])
        self.inputs = {parameter["parameter_name"]: _input(parameter) for parameter in self.parameters}
        returns = endpoint.get("returns", [])
        self.output_type = type_of(returns[0].get("type") or {})[0] if len(returns) == 1 else "any"

    def forward(self, **arguments: Any):  # no return hint: the signature shows output_type
        from gradio_client import handle_file

        given = {}
        for parameter in self.parameters:
            value = arguments.get(parameter["parameter_name"])
            if value is None:
                continue  # the Space's default
            if parameter.get("component") in FILE_COMPONENTS and isinstance(value, str | os.PathLike):
                value = handle_file(str(value))  # a local path or a URL, uploaded to the Space
            given[parameter["parameter_name"]] = value
        job = self.client.submit(api_name=self.api_name, **given)
        try:
            return job.result(timeout=self.timeout)
        except FuturesTimeout:
            job.cancel()
            raise ExternalToolError(
                f"{self.name}: the Space {self.space_id} did not answer within {self.timeout:g} s"
            ) from None
        except Exception as e:  # the Space's own error (AppError) or a network failure: the model's to know
            raise ExternalToolError(f"{self.name}: the Space {self.space_id} failed: {_reason(e)}") from None


def _import_gradio_client():
    try:
        import gradio_client
    except ImportError:
        raise ImportError("Spaces as tools need `gradio_client`: pip install 'agentls[hub]'") from None
    return gradio_client


def _endpoint(api_name: str | None, endpoints: dict, space_id: str) -> str:
    if api_name is None:
        return next(iter(endpoints))
    wanted = api_name if api_name.startswith("/") else f"/{api_name}"
    if wanted not in endpoints:
        raise ValueError(f"the Space {space_id} has no endpoint {api_name!r}; it has {', '.join(endpoints)}")
    return wanted


def _input(parameter: dict) -> dict:
    json_type, nullable = type_of(parameter.get("type") or {})
    if json_type == "object":
        json_type = "any"  # files and composite components: a path, a URL or a dict, as gradio_client takes them
    described = (parameter.get("python_type") or {}).get("description") or parameter.get("label") or ""
    spec: dict[str, Any] = {"type": json_type, "description": described}
    if nullable or parameter.get("parameter_has_default"):
        spec["nullable"] = True
        if parameter.get("parameter_default") is not None:
            spec["default"] = parameter["parameter_default"]
    return spec


def _reason(error: Exception) -> str:
    text = re.sub(r"\s+", " ", str(error)).strip() or "no message"
    if type(error).__name__ != "AppError":  # the Space's own message reads best alone
        text = f"{type(error).__name__}: {text}"
    return text if len(text) <= 500 else text[:497] + "..."
