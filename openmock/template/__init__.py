"""Response templates: `{{request.path.id}}`, `{{$randomFirstName}}`, `{{state.item.name}}` in
examples and runtime scenarios. This package is their syntax (what a template may say, checked
at import and by `openmock check`); respond/render.py fills them in per request."""

from openmock.template.syntax import (
    Reference,
    Template,
    TemplateError,
    find_templates,
    has_templates,
    parse_template,
)
from openmock.template.variables import DYNAMIC_VARIABLES

__all__ = [
    "DYNAMIC_VARIABLES",
    "Reference",
    "Template",
    "TemplateError",
    "find_templates",
    "has_templates",
    "parse_template",
]
