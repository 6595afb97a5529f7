"""Find the line of a JSON pointer in a YAML or JSON source text (error path only)."""

from __future__ import annotations

import yaml

from openmock.schema.pointers import unescape_pointer_token

_Loader: type[yaml.SafeLoader]
try:
    _Loader = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def line_of(text: str, pointer: str) -> int | None:
    """1-based line of the node at `pointer`, or of its closest existing ancestor."""
    return Locator(text).line(pointer)


class Locator:
    """Lines of many pointers in one text: the text is composed once, on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._root: yaml.Node | None = None
        self._composed = False

    def line(self, pointer: str) -> int | None:
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self.text, Loader=_Loader)
            except (yaml.YAMLError, RecursionError):
                self._root = None
        node = self._root
        if node is None:
            return None
        tokens = [unescape_pointer_token(t) for t in pointer.split("/")[1:]] if pointer else []
        for token in tokens:
            nxt: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and str(key.value) == token:
                        nxt = value
                        break
            elif isinstance(node, yaml.SequenceNode) and token.isdigit():
                index = int(token)
                if index < len(node.value):
                    nxt = node.value[index]
            if nxt is None:
                break
            node = nxt
        return node.start_mark.line + 1
