"""VALIDATE stage: requests checked against their operation, with validators compiled once
per operation (on its first request, so start-up does not pay for operations nobody calls)."""

from __future__ import annotations

from openmock.model import Stub
from openmock.request import ParsedParameters, RequestParts
from openmock.request.body import ParsedBody
from openmock.schema.index import SchemaIndex
from openmock.validation.formpass import FormPass
from openmock.validation.forms import FormTyper
from openmock.validation.operation import OperationValidator
from openmock.validation.verdict import Verdict, Violation


class RequestValidator:
    """Owns the compiled per-operation validators of one mock state."""

    def __init__(self, index: SchemaIndex) -> None:
        self.index = index
        self._compiled: dict[int, tuple[Stub, OperationValidator]] = {}
        self._forms = FormTyper(index)
        self._passes = FormPass(index, self._forms)

    def for_stub(self, stub: Stub) -> OperationValidator:
        cached = self._compiled.get(id(stub))
        if cached is not None and cached[0] is stub:
            return cached[1]
        compiled = OperationValidator(stub, self.index, self._forms, self._passes)
        self._compiled[id(stub)] = (stub, compiled)
        return compiled

    def check(
        self,
        stub: Stub,
        params: ParsedParameters,
        parts: RequestParts,
        body: bytes,
        content_type: str | None,
    ) -> tuple[Verdict | None, ParsedBody]:
        return self.for_stub(stub).check(params, parts, body, content_type)


__all__ = ["RequestValidator", "Verdict", "Violation"]
