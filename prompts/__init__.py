"""Prompt templates as files, loaded with importlib.resources and rendered strictly."""

from __future__ import annotations

from importlib import resources
from string import Template

from common.errors import PromptError


def load(name: str) -> Template:
    """The template file `prompts/NAME` (e.g. 'answer_system.md')."""
    try:
        text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        raise PromptError(f"prompt template prompts/{name} is missing", "reinstall the project") from None
    return Template(text)


def render(name: str, **values: object) -> str:
    """Fill `$name` / `${name}` placeholders; a missing or an unknown variable is an error naming it and the file.
    Values are inserted as they are (a `$` in an article is never read as a placeholder)."""
    template = load(name)
    if not template.is_valid():
        raise PromptError(f"prompt template prompts/{name} has a malformed placeholder", "write $$ for a literal $")
    wanted = set(template.get_identifiers())
    missing = sorted(wanted - set(values))
    if missing:
        raise PromptError(f"prompt template prompts/{name} needs variable(s) {', '.join(missing)}",
                          "pass every variable the template names")
    unknown = sorted(set(values) - wanted)
    if unknown:
        raise PromptError(f"prompt template prompts/{name} has no variable(s) {', '.join(unknown)}",
                          "remove them, or add the placeholder to the template")
    return template.substitute({k: str(v) for k, v in values.items()})
