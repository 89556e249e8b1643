"""Graph files for Gephi, Cytoscape and yEd: GEXF 1.3 (dynamic) and GraphML.

Both are written from one "timed" copy of the build graph in which every node and edge has the
interval in which it exists, as ISO dates in `start` and `end` (either may be missing: open):

- an event exists from its earliest to its latest possible day;
- an edge from an event (participant, place, source, mention) exists while the event does; an
  edge between two events spans both; a claim's edges exist from the claim's (or its
  verification's) date, or the date of the event it is about; a relation from its start to end;
- any other node (actor, source, claim) spans all its edges, so Gephi's timeline slider never
  shows an edge without its ends.
"""

from __future__ import annotations

import io
from typing import Any
from xml.etree.ElementTree import Element, SubElement, indent, tostring

import networkx as nx

from timeline.dates import PartialDate, bound_iso
from timeline.graph import Build, node_id

Interval = tuple[str | None, str | None]
GEXF_NS = "http://gexf.net/1.3"


def _span(when: PartialDate | None) -> Interval:
    if when is None:
        return None, None
    return bound_iso(when.earliest), bound_iso(when.latest)  # an open side stays open


def _hull(intervals: list[Interval]) -> Interval:
    """The smallest interval holding all of them; a missing bound is open and stays open."""
    if not intervals:
        return None, None
    starts = [s for s, _ in intervals]
    ends = [e for _, e in intervals]
    start = None if None in starts else min(s for s in starts if s is not None)
    end = None if None in ends else max(e for e in ends if e is not None)
    return start, end


def timed_graph(build: Build) -> nx.MultiDiGraph:
    """A copy of the build graph with `start`/`end` on nodes and edges, and the curated slug in
    `slug` (GEXF and GraphML readers take a node's `id` attribute as its identifier)."""
    ds = build.dataset
    g = build.graph
    events = {node_id("event", e.id): _span(e.when) for e in ds.events}
    claims = {node_id("claim", c.id): c for c in ds.claims}
    relations = {r.key: r for r in ds.relations}

    def edge_span(u: str, v: str, key: str, data: dict[str, Any]) -> Interval:
        kind = data.get("type")
        if u in events and v in events:
            return _hull([events[u], events[v]])
        if u in events:
            return events[u]
        if kind == "relation":
            r = relations[key]
            return (
                None if r.start is None else r.start.earliest.isoformat(),
                None if r.end is None else r.end.latest.isoformat(),
            )
        if u in claims:
            c = claims[u]
            about = events.get(node_id("event", c.about)) if c.about else None
            own = _span(c.date) if c.date else about
            if kind == "verified_by":
                verdict_dates = [
                    _span(v.date)
                    for v in c.verifications
                    if v.date and f"verified_by:{v.verdict}" == key
                ]
                own = verdict_dates[0] if verdict_dates else own
            if kind == "about" and own is not None and about is not None:
                return _hull([own, about])
            return own or (None, None)
        return None, None

    out = nx.MultiDiGraph(name=ds.dataset.title)
    for n, data in g.nodes(data=True):
        attrs = {k: v for k, v in data.items() if k != "id"}
        out.add_node(n, slug=data.get("id", n), **attrs)
    spans: dict[str, list[Interval]] = {n: [] for n in g.nodes}
    for u, v, key, data in g.edges(keys=True, data=True):
        start, end = edge_span(u, v, key, data)
        attrs = dict(data)
        if start is not None:
            attrs["start"] = start
        if end is not None:
            attrs["end"] = end
        out.add_edge(u, v, key=key, **attrs)
        spans[u].append((start, end))
        spans[v].append((start, end))
    for n in out.nodes:
        start, end = events[n] if n in events else _hull(spans[n])
        if start is not None:
            out.nodes[n]["start"] = start
        if end is not None:
            out.nodes[n]["end"] = end
    return out


_GEXF_TYPES = {bool: "boolean", int: "integer", float: "double", str: "string"}
_RESERVED = {"label", "start", "end"}


def _declare(parent: Element, cls: str, items: list[dict[str, Any]]) -> list[str]:
    types: dict[str, str] = {}
    for data in items:
        for k, v in data.items():
            if k not in _RESERVED:
                types.setdefault(k, _GEXF_TYPES.get(type(v), "string"))
    block = SubElement(parent, "attributes", {"class": cls, "mode": "static"})
    for name in sorted(types):
        SubElement(block, "attribute", {"id": name, "title": name, "type": types[name]})
    return sorted(types)


def _values(element: Element, names: list[str], data: dict[str, Any]) -> None:
    values = SubElement(element, "attvalues")
    for name in names:
        if name in data:
            value = data[name]
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            SubElement(values, "attvalue", {"for": name, "value": text})


def _times(data: dict[str, Any]) -> dict[str, str]:
    return {k: data[k] for k in ("start", "end") if k in data}


def serialize_gexf(build: Build) -> bytes:
    """GEXF 1.3, dynamic (dates as start/end), for Gephi's timeline."""
    g = timed_graph(build)
    root = Element(
        "gexf",
        {
            "xmlns": GEXF_NS,
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:schemaLocation": f"{GEXF_NS} {GEXF_NS}/gexf.xsd",
            "version": "1.3",
        },
    )
    meta = SubElement(root, "meta")
    SubElement(meta, "creator").text = "timeline"
    SubElement(meta, "title").text = build.dataset.dataset.title
    if build.dataset.dataset.description:
        SubElement(meta, "description").text = build.dataset.dataset.description
    graph = SubElement(
        root,
        "graph",
        {
            "defaultedgetype": "directed",
            "mode": "dynamic",
            "timeformat": "date",
            "timerepresentation": "interval",
        },
    )
    node_attrs = _declare(graph, "node", [d for _, d in g.nodes(data=True)])
    edge_attrs = _declare(
        graph, "edge", [d | {"edge_key": k} for _, _, k, d in g.edges(keys=True, data=True)]
    )
    nodes = SubElement(graph, "nodes")
    for n, data in g.nodes(data=True):
        node = SubElement(
            nodes, "node", {"id": n, "label": str(data.get("label", n)), **_times(data)}
        )
        _values(node, node_attrs, data)
    edges = SubElement(graph, "edges")
    for u, v, key, data in g.edges(keys=True, data=True):
        edge = SubElement(
            edges,
            "edge",
            {
                "id": f"{u}|{key}|{v}",
                "source": u,
                "target": v,
                "label": str(data.get("role") or data.get("relation") or data.get("type", key)),
                **_times(data),
            },
        )
        _values(edge, edge_attrs, data | {"edge_key": key})
    indent(root)
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + tostring(root, encoding="unicode").encode()
        + b"\n"
    )


def serialize_graphml(build: Build) -> bytes:
    """GraphML with the same nodes, edges, attributes and start/end dates as the GEXF."""
    buffer = io.BytesIO()
    nx.write_graphml(timed_graph(build), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()
