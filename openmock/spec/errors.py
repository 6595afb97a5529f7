"""Problems found in a spec, worded for the person who has to fix them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpecProblem:
    """One thing wrong with a spec: what, where (file, JSON pointer, line) and what to do."""

    message: str
    file: str
    pointer: str = ""
    line: int | None = None
    hint: str = ""

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.message}"
        if self.pointer:
            text += f" (at {self.pointer or '/'})"
        if not text.endswith("."):
            text += "."
        if self.hint:
            text += f" {self.hint}"
        return text


PROBLEMS_SHOWN = 3  # of a served spec's problems; `openmock check` has them all


def problems_summary(problems: list[SpecProblem], specs: str = "SPEC") -> str:
    """A short account of the problems of a spec that is served anyway: how many, the first
    few, and where to see them all (`specs`: the spec files, for the command)."""
    count = len(problems)
    lines = [
        f"the spec has {count} problem{'s' if count != 1 else ''}; serving what can be served "
        "(--strict refuses such a spec):"
    ]
    lines += [f"  {problem.render()}" for problem in problems[:PROBLEMS_SHOWN]]
    more = f"... and {count - PROBLEMS_SHOWN} more; " if count > PROBLEMS_SHOWN else ""
    lines.append(f"  {more}`openmock check {specs}` lists them all.")
    return "\n".join(lines)


class SpecError(Exception):
    """The spec cannot be used. Carries one or more problems; str() is a readable paragraph."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        super().__init__(self.render())

    @classmethod
    def single(
        cls,
        message: str,
        file: str,
        pointer: str = "",
        line: int | None = None,
        hint: str = "",
    ) -> SpecError:
        return cls([SpecProblem(message, file, pointer, line, hint)])

    def render(self, limit: int = 20) -> str:
        shown = [p.render() for p in self.problems[:limit]]
        more = len(self.problems) - limit
        if more > 0:
            shown.append(f"... and {more} more problem(s); `openmock check` lists them all.")
        return "\n".join(shown)
