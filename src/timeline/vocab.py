"""The project's RDF terms, declared once. The ontology in `ontologies/timeline.ttl` declares the
same terms; a test checks that the two agree."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace
from rdflib.term import URIRef

NS = "https://example.org/timeline/ns#"
DEFAULT_BASE = "https://example.org/timeline/"

SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
TIME = Namespace("http://www.w3.org/2006/time#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")

EVENT_TYPE = Namespace("https://example.org/timeline/event-type/")
ROLE = Namespace("https://example.org/timeline/role/")
ACTOR_KIND = Namespace("https://example.org/timeline/actor-kind/")
VERDICT = Namespace("https://example.org/timeline/verdict/")
PRECISION = Namespace("https://example.org/timeline/precision/")
STATUS = Namespace("https://example.org/timeline/status/")


class TL(DefinedNamespace):
    """Terms the reused vocabularies lack."""

    _NS = Namespace(NS)
    _fail = True

    # classes
    Claim: URIRef
    Verification: URIRef
    Participation: URIRef
    ActorRelation: URIRef
    Mention: URIRef
    Quote: URIRef
    Dataset: URIRef
    # event and date properties
    participation: URIRef
    datePrecision: URIRef
    approximate: URIRef
    dateLabel: URIRef
    asStated: URIRef
    dateOpen: URIRef
    relativeTo: URIRef
    dateNote: URIRef
    follows: URIRef
    causedBy: URIRef
    quote: URIRef
    speaker: URIRef
    paraphrase: URIRef
    actorKind: URIRef
    alsoKind: URIRef
    status: URIRef
    # quantities (schema:QuantitativeValue nodes)
    quantity: URIRef
    quantityOf: URIRef
    # drafts
    review: URIRef
    duplicateOf: URIRef
    # media (schema:associatedMedia nodes)
    mediaFile: URIRef
    altText: URIRef
    # claims
    about: URIRef
    statement: URIRef
    unit: URIRef
    verification: URIRef
    verdict: URIRef
    disagrees: URIRef
    # relations between actors
    relationType: URIRef
    relationSubject: URIRef
    relationObject: URIRef
    startDate: URIRef
    endDate: URIRef
    approximateValue: URIRef
    ended: URIRef
    note: URIRef
    retrieved: URIRef
    # mentions (entity extraction)
    mention: URIRef
    mentions: URIRef
    surfaceForm: URIRef
    startOffset: URIRef
    endOffset: URIRef
    linkedTo: URIRef
    extractedBy: URIRef
    nerChoice: URIRef
    # stores: who pushed a named graph
    pushedDataset: URIRef
    candidate: URIRef
    linkMethod: URIRef
    # relation-type properties (subject tl:xOf object)
    vicePresidentOf: URIRef
    presidentOf: URIRef
    leaderOf: URIRef
    headOf: URIRef
    memberOf: URIRef
    spouseOf: URIRef
    aideOf: URIRef
    allyOf: URIRef
    spokespersonFor: URIRef
    partOf: URIRef
    locatedIn: URIRef
    supportedBy: URIRef
    opposes: URIRef


def relation_property(relation_type: str) -> URIRef:
    """'vice-president-of' -> tl:vicePresidentOf."""
    head, *rest = relation_type.split("-")
    return TL[head + "".join(w.capitalize() for w in rest)]


PREFIXES = {
    "tl": Namespace(NS),
    "sem": SEM,
    "time": TIME,
    "schema": SCHEMA,
    "prov": PROV,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "wd": WD,
    "etype": EVENT_TYPE,
    "role": ROLE,
    "akind": ACTOR_KIND,
    "verdict": VERDICT,
    "precision": PRECISION,
    "status": STATUS,
}
