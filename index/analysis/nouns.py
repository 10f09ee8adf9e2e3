"""The common nouns quote attribution reads a description by: which stand for an organisation, an institution, a
document, a spokesperson or a person ("the company said", "the ministry", "the statement read", "the striker")."""

from __future__ import annotations

# Head nouns of descriptions that stand for an organisation named before ("the company said", "the club")
ORG_NOUNS = frozenset(
    "company firm club team side retailer startup start-up business brand group organisation organization "
    "magazine newspaper paper outlet network broadcaster channel league federation bank lender airline carrier maker "
    "carmaker manufacturer giant platform app developer studio publisher label school university college hospital "
    "observatory coalition charity body party campaign academy society association institute foundation consortium "
    "operator chain insurer fund".split()
)
# Institutions: "the ministry" is one named before, "the transport ministry" is its own (unnamed) speaker
INSTITUTIONS = frozenset(
    "ministry department government administration agency office service council committee board commission "
    "authority regulator watchdog court police army military embassy union".split()
)
GENERIC = frozenset("former new same online whole entire current latest".split())  # modifiers that name nothing
STATE_NOUNS = frozenset("government administration ministry military army police embassy court".split())  # or a place
# A description that is a document stands for whoever issued it ("the statement read", "the blog post stated")
DOC_NOUNS = frozenset(
    "statement post blog letter report release email filing tweet website memo announcement notice document "
    "message update".split()
)
# Verbs whose subject issued the document they take ("released a statement", "announced on its blog")
ISSUING = frozenset("release issue publish post announce say write share state tweet add note put send".split())
# A spokesperson speaks for the organisation named with them ("a Roblox spokesperson", "a spokeswoman for X")
SPOKES_NOUNS = frozenset("spokesperson spokesman spokeswoman representative spokespeople rep".split())
SEVERAL = frozenset("pair duo trio couple both two three group source insider".split())  # no one name
# Role nouns a description may use for the role the article gave ("the Chelsea boss" of "Chelsea head coach X")
SAME_ROLE = {"boss": {"manager", "coach", "chief"}, "manager": {"boss", "coach"}, "coach": {"manager", "boss"},
             "striker": {"forward"}, "forward": {"striker"}, "keeper": {"goalkeeper"}, "goalkeeper": {"keeper"},
             "lawyer": {"attorney", "solicitor", "barrister"}, "attorney": {"lawyer"}, "doctor": {"dr", "physician"}}
# Nouns that stand for a person ("the star", "the veteran"), beside the agent endings below ("winner", "Argentinean")
PERSON_NOUNS = frozenset(
    "star boss chief legend veteran native champion expert coach captain icon official judge star chair head "
    "suspect victim defendant teenager youngster mother father wife husband son daughter brother sister".split()
)
AGENT_ENDINGS = ("er", "or", "ist", "ian", "ean", "ard", "man", "woman", "ess", "ant", "ent", "eer", "ee")
# Words with those endings that are no person ("the paper", "the order"), when they are a cue's subject
NOT_PERSONS = frozenset(
    "paper letter number order chapter center centre cover counter register poster trailer tracker monitor sensor "
    "factor indicator error report statement document agreement government department parliament tournament "
    "element comment content event argument amendment judgment judgement management movement settlement "
    "investment announcement assessment treatment restaurant plant grant warrant covenant".split()
)


def of_members(head) -> bool:
    """ "the drivers' union", "the farmers' association": an organisation of the people a plural possessive before
    it names, its own (unnamed) speaker, never an organisation named before."""
    return head.lemma_.lower() in ORG_NOUNS | INSTITUTIONS and any(
        c.dep_ == "poss" and c.tag_ == "NNS" and c.is_lower for c in head.children)


def person_noun(lemma: str) -> bool:
    """A common noun that names a person: listed, or an agent ending ("striker", "economist", "Argentinean")."""
    return lemma in PERSON_NOUNS or (lemma.endswith(AGENT_ENDINGS) and lemma not in NOT_PERSONS and len(lemma) > 4)


def opens_with_person(tokens) -> bool:
    """The sentence's tokens open with a definite description of a person as the subject before its verb ("The
    23-year-old scored 21 goals …", "The striker has …"): someone a later "he" or "she" may mean, unnamed."""
    if len(tokens) < 3 or tokens[0].lower_ != "the":
        return False
    verb = next((n for n, t in enumerate(tokens[:8]) if t.tag_.startswith("VB") or t.text in ",;:(—–"), None)
    if verb is None or verb < 2 or any(t.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") for t in tokens[1:verb]):
        return False
    head = tokens[verb - 1]
    if head.lower_ == "old" and any(t.lower_ == "year" for t in tokens[1:verb]):
        return True  # "The 23-year-old"
    return head.tag_ == "NN" and person_noun(head.lemma_.lower()) and head.lemma_.lower() not in ORG_NOUNS
