"""Prompt templates: Jinja2 in a sandbox, with undefined variables as errors.

Templates are checked when a prompt version is created (syntax, and no reaching for Python
internals such as `__class__`) and rendered in a `SandboxedEnvironment`, which refuses unsafe
attribute access at render time as a second line of defence.

A value that is not text renders as JSON (`{{ input }}` of `{"question": "2+2?"}` gives
`{"question": "2+2?"}`, `true`, `null`), as the models reading the prompt expect, not as
Python's repr; its parts stay reachable (`{{ input.question }}`).
"""

from __future__ import annotations

import json
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment


def _as_json(value: Any) -> Any:
    """What `{{ value }}` prints: text and numbers as they are, anything else as JSON."""
    if value is None or isinstance(value, bool | dict | list | tuple):
        return json.dumps(value, ensure_ascii=False)
    return value


_ENVIRONMENT = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, finalize=_as_json)


class TemplateProblem(Exception):
    """A template that cannot be used or rendered; the message names the problem."""


def check(source: str) -> set[str]:
    """The variables the template uses; raises TemplateProblem when it cannot be used."""
    try:
        tree = _ENVIRONMENT.parse(source)
    except TemplateSyntaxError as error:
        raise TemplateProblem(
            f"Template syntax error on line {error.lineno}: {error.message}"
        ) from None
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem):
            name = _constant(node.arg)
        else:
            continue
        if isinstance(name, str) and name.startswith("_"):
            raise TemplateProblem(
                f"Template line {node.lineno} accesses '{name}': attributes starting with '_' "
                "are not allowed."
            )
    return set(meta.find_undeclared_variables(tree))


def render(source: str, variables: dict[str, Any]) -> str:
    try:
        return _ENVIRONMENT.from_string(source).render(variables)
    except UndefinedError as error:
        raise TemplateProblem(f"Template variable missing: {error.message}") from None
    except SecurityError as error:
        raise TemplateProblem(f"Template refused by the sandbox: {error}") from None
    except TemplateSyntaxError as error:
        raise TemplateProblem(
            f"Template syntax error on line {error.lineno}: {error.message}"
        ) from None
    except Exception as error:  # a template error of any other kind is the template's fault
        raise TemplateProblem(f"Template failed to render: {error}") from None


def _constant(node: nodes.Node) -> Any:
    return node.value if isinstance(node, nodes.Const) else None
