"""One version of the mock: what it answers with (`MockState`, built once per catalog and
swapped whole on a reload or a runtime change) and how (`MockOptions`, from the command line
or create_app)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from openmock.answer import AnswerMemo
from openmock.calllog.record import Secrets, secrets_of
from openmock.delays import Delay
from openmock.faults import Chaos, RateLimiter
from openmock.generate import GenerationEngine
from openmock.machines import MachineKeeper, SqliteMachineStore
from openmock.matching import Candidate, candidates_of
from openmock.model import Catalog
from openmock.request.body import DEFAULT_MAX_BODY_BYTES
from openmock.respond import Responder
from openmock.routing import RouteTable
from openmock.schema.index import SchemaIndex
from openmock.state import StateKeeper
from openmock.validation import RequestValidator


@dataclass(frozen=True)
class MockOptions:
    """How the mock answers, as set on the command line or by create_app()."""

    seed: int = 0  # --seed: the same bodies across runs and machines
    dynamic: bool = False  # --dynamic: fresh generated data on every request
    locale: str = "en_US"  # --locale: Faker's locale for realistic values
    match_body: bool = False  # --match-body: the body filters paired examples, not just scores
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES  # larger request bodies get 413
    validate: bool = True  # --no-validate: requests are not checked against the spec
    cors: bool = True  # --no-cors: no CORS headers, preflights answered like any OPTIONS
    delay: Delay | None = None  # --delay: (min, max) milliseconds before every answer
    stateful: bool = False  # --stateful: collections keep what is created (openmock/state/)
    data: str | None = None  # --data: a file of items replacing the stateful seed
    state_db: str | None = None  # --workers: the SQLite file their shared state is kept in
    machines_db: str | None = None  # --workers: the file sequences and machines are kept in
    chaos: float = 0.0  # --chaos: the share of requests answered with a failure
    rate_limit: tuple[int, float] | None = None  # --rate-limit: (requests, per seconds)


@dataclass(frozen=True)
class MockState:
    """Everything one version of the mock answers with, built once per catalog."""

    catalog: Catalog
    table: RouteTable
    index: SchemaIndex
    responder: Responder
    validator: RequestValidator
    options: MockOptions
    pairings: Mapping[str, tuple[Candidate, ...]]  # stub id -> pairing candidates, made once
    secrets: Mapping[str, Secrets]  # stub id -> what the call log redacts, worked out once
    keeper: StateKeeper | None = None  # --stateful: the resources and their store
    # Sequences and state machines: their progress per session (openmock/machines/).
    machines: MachineKeeper = field(default_factory=MachineKeeper, compare=False)
    chaos: Chaos | None = None  # --chaos
    limiter: RateLimiter | None = None  # --rate-limit
    # Answers to repeated bodiless GETs, by the whole request (see MockApp._answer): this
    # version's, so an edit or reload starts afresh.
    memo: AnswerMemo = field(default_factory=lambda: AnswerMemo(), compare=False)

    @property
    def memo_usable(self) -> bool:
        """Whether a repeated GET may get the answer kept for it: not when each request may
        fail (--chaos) or count against a limit (--rate-limit)."""
        return self.chaos is None and self.limiter is None

    @classmethod
    def build(
        cls, catalog: Catalog, index: SchemaIndex, options: MockOptions | None = None
    ) -> MockState:
        """Raises UnknownLocale for a locale Faker does not have, DataError for an
        options.data file that cannot be used."""
        options = options or MockOptions()
        table = RouteTable(catalog.stubs, catalog.base_paths)
        engine = GenerationEngine(index, options.seed, options.locale)
        responder = Responder(engine, index, options.dynamic)
        pairings = {stub.id: found for stub in catalog.stubs if (found := candidates_of(stub))}
        validator = RequestValidator(index)
        secrets = {stub.id: secrets_of(stub) for stub in catalog.stubs}
        keeper = None
        if options.stateful:
            keeper = StateKeeper(catalog, index, engine, options.data, options.state_db)
        machines = MachineKeeper()
        if options.machines_db is not None:
            machines = MachineKeeper(SqliteMachineStore(options.machines_db, catalog.key()))
        chaos = Chaos(options.chaos, options.seed) if options.chaos > 0 else None
        limiter = RateLimiter(*options.rate_limit) if options.rate_limit is not None else None
        return cls(
            catalog, table, index, responder, validator, options, pairings, secrets, keeper,
            machines, chaos, limiter,
        )  # fmt: skip

    def edited(self, catalog: Catalog) -> MockState:
        """This state serving `catalog`, a runtime change of its own catalog: the engine's
        compiled generators and the request validators are kept (a change never alters an
        operation's parameters or request body), and so is the stateful store; the route
        table, pairings and serialised examples are made again."""
        table = RouteTable(catalog.stubs, catalog.base_paths)
        responder = Responder(self.responder.engine, self.index, self.options.dynamic)
        pairings = {stub.id: found for stub in catalog.stubs if (found := candidates_of(stub))}
        secrets = {stub.id: secrets_of(stub) for stub in catalog.stubs}
        return replace(
            self,
            catalog=catalog,
            table=table,
            responder=responder,
            pairings=pairings,
            secrets=secrets,
            memo=AnswerMemo(),
        )
