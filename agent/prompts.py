"""Prompt templates: YAML files in agent/prompts/, one typed model of their keys, Jinja rendering.

A custom prompt set (a dict in smolagents' shape) is validated at construction: a
missing key is refused with its name. Rendering uses StrictUndefined, so a template
that names a variable the agent does not pass fails in a test, not for a user.
"""

from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanningPromptTemplate(_Strict):
    initial_plan: str
    update_plan_pre_messages: str
    update_plan_post_messages: str


class ManagedAgentPromptTemplate(_Strict):
    task: str
    report: str


class FinalAnswerPromptTemplate(_Strict):
    pre_messages: str
    post_messages: str


class PromptTemplates(_Strict):
    system_prompt: str
    planning: PlanningPromptTemplate
    managed_agent: ManagedAgentPromptTemplate
    final_answer: FinalAnswerPromptTemplate


def load_prompt_templates(name: str) -> PromptTemplates:
    """The packaged templates `agent/prompts/<name>.yaml`."""
    text = resources.files("agent").joinpath("prompts", f"{name}.yaml").read_text(encoding="utf-8")
    return validate_prompt_templates(yaml.safe_load(text), source=f"agent/prompts/{name}.yaml")


def validate_prompt_templates(templates: "PromptTemplates | dict", source: str = "prompt_templates") -> PromptTemplates:
    if isinstance(templates, PromptTemplates):
        return templates
    try:
        return PromptTemplates.model_validate(templates)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc'])}: {'missing' if item['type'] == 'missing' else item['msg']}"
            for item in e.errors()
        )
        raise ValueError(f"{source} is not a valid prompt set ({problems})") from None


@cache
def _environment():
    import jinja2

    return jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False, autoescape=False)


@cache
def _compiled(template: str):
    return _environment().from_string(template)


def render(template: str, **variables: Any) -> str:
    return _compiled(template).render(**variables)
