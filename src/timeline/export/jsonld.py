"""JSON-LD with the project's context embedded, written node by node in sorted order.

The context (prefixes only, published as ``ontologies/context.jsonld``) is embedded rather than
linked, so the file expands offline in any JSON-LD processor without fetching anything. Values are
written in expanded-value form (``{"@value": ..., "@type": ...}``) so every literal round-trips
exactly, and nodes, keys and values are sorted so identical graphs give identical bytes.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from timeline.vocab import PREFIXES

CONTEXT_FILE = "ontologies/context.jsonld"


def context() -> dict[str, Any]:
    """The JSON-LD context: one prefix per namespace of the vocabulary."""
    return {"@context": {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}}


def context_bytes() -> bytes:
    """The published context file's exact content."""
    return (json.dumps(context(), indent=2, ensure_ascii=False) + "\n").encode()


_NAMESPACES = sorted(((str(ns), p) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))


def _compact(iri: str) -> str:
    for ns, prefix in _NAMESPACES:
        rest = iri[len(ns) :]
        # a suffix starting with // would be read as an absolute IRI, not as prefix:suffix
        if iri.startswith(ns) and not rest.startswith("//"):
            return f"{prefix}:{rest}"
    return iri


def _value(node: Any) -> Any:
    if isinstance(node, URIRef):
        return {"@id": _compact(str(node))}
    if isinstance(node, BNode):
        return {"@id": f"_:{node}"}
    assert isinstance(node, Literal)
    if node.language:
        return {"@language": node.language, "@value": str(node)}
    if node.datatype is not None:
        return {"@type": _compact(str(node.datatype)), "@value": str(node)}
    return str(node)


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def to_jsonld(graph: Graph) -> dict[str, Any]:
    """The graph as a JSON-LD document: embedded context, then one sorted node per subject."""
    nodes: dict[Any, dict[str, list[Any]]] = {}
    for s, p, o in graph:
        key = "@type" if p == RDF.type and isinstance(o, URIRef) else _compact(str(p))
        value = _compact(str(o)) if key == "@type" else _value(o)
        nodes.setdefault(s, {}).setdefault(key, []).append(value)
    out = []
    for subject in sorted(nodes):
        node: dict[str, Any] = {"@id": _value(subject)["@id"]}
        for key, values in nodes[subject].items():
            unique = sorted({_sort_key(v): v for v in values}.values(), key=_sort_key)
            node[key] = unique[0] if len(unique) == 1 else unique
        out.append(node)
    return {**context(), "@graph": out}


def serialize_jsonld(graph: Graph) -> bytes:
    """JSON-LD bytes, byte-identical for identical graphs."""
    text = json.dumps(to_jsonld(graph), indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode()
