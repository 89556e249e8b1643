"""RDF/XML with a fixed order: rdflib's writer walks its store in hash order, so two runs of the
same build gave different bytes (PYTHONHASHSEED). Sorting subjects and their statements fixes it."""

from __future__ import annotations

from collections.abc import Generator
from io import BytesIO
from typing import Any

from rdflib import Graph
from rdflib.plugins.serializers.rdfxml import XMLSerializer
from rdflib.term import Node


class _SortedView(Graph):
    """A copy of a graph whose subject and predicate-object iteration is sorted."""

    def subjects(
        self,
        predicate: Any = None,
        object: Any = None,  # noqa: A002
        unique: bool = False,
    ) -> Generator[Node, None, None]:
        yield from sorted(set(super().subjects(predicate, object)), key=_key)

    def predicate_objects(
        self, subject: Any = None, unique: bool = False
    ) -> Generator[tuple[Node, Node], None, None]:
        yield from sorted(
            set(super().predicate_objects(subject)), key=lambda po: (_key(po[0]), _key(po[1]))
        )


def _key(term: Any) -> str:
    """A total order: the N-Triples form tells apart literals that differ only in type."""
    return str(term.n3())


def serialize_rdfxml(graph: Graph) -> bytes:
    """RDF/XML, byte-identical for identical graphs."""
    view = _SortedView(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        view.bind(prefix, namespace)
    for triple in graph:
        view.add(triple)
    buffer = BytesIO()
    XMLSerializer(view).serialize(buffer, encoding="utf-8")
    return buffer.getvalue()
