"""The registry of answer kinds: a question takes the first kind in KINDS that matches it."""

from __future__ import annotations

from assistant.kinds.base import Kind
from assistant.kinds.clause import HOW, WHY
from assistant.kinds.date import Date
from assistant.kinds.describe import Describe
from assistant.kinds.expansion import Expansion
from assistant.kinds.figure import Figure
from assistant.kinds.open_question import Open
from assistant.kinds.other import Other
from assistant.kinds.role import Role
from assistant.kinds.what_said import WhatSaid
from assistant.kinds.where import Where
from assistant.kinds.which import Which
from assistant.kinds.who import Who
from assistant.kinds.who_said import WhoSaid

# Order matters: "who said the toll rose?" is about a speaker, "when did the toll rise?" about a date, "how many …"
# before "how did …", "what is the latest toll?" a figure before "what is the latest on …" (open), "who is the
# manager of X?" a role before any "who". Other is last and matches everything.
# Adding a kind: a file with a Kind subclass, and one line here (its class attributes say how it is routed).
WHO_SAID, WHAT_SAID = WhoSaid(), WhatSaid()
KINDS: tuple[Kind, ...] = (WHO_SAID, WHAT_SAID, Date(), Figure(), WHY, HOW, Open(), Expansion(), Describe(), Role(),
                           Who(), Where(), Which(), Other())
BY_NAME = {k.name: k for k in KINDS}
ARCHIVE = WHAT_SAID  # the kind GET /api/quotes asks as "What has SPEAKER said?"


def kind_of(question: str) -> Kind:
    return next(k for k in KINDS if k.matches(question))


def for_previous(kind: Kind) -> Kind:
    """The kind that answers a follow-up about the previous answer: the question's own when it answers such
    follow-ups ("When?", "Where?"), else who said it ("Says who?", "Sources?")."""
    return kind if kind.about_previous else WHO_SAID
