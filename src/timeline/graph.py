"""The built graph: a networkx MultiDiGraph where events, actors, claims and sources are nodes.

Events are nodes, never edges: an event links to any number of participants, each with a role.
Node ids are ``kind:id`` (``event:capture-maduro``); attributes are plain values so that every
exporter (GEXF, GraphML, HTML) can read them without knowing the pydantic models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from timeline.models import Dataset

if TYPE_CHECKING:  # networkx is imported where a graph is made, not by who imports `Build`
    import networkx as nx


def node_id(kind: str, ident: str) -> str:
    return f"{kind}:{ident}"


class Mention(NamedTuple):
    """A span of an event's text that names an actor (or a candidate, when `actor` is None).

    A named tuple: a million of them at 100k events, made 3x faster than a frozen dataclass
    and pickled (by the build cache) as plain tuples."""

    event: str
    start: int
    end: int
    text: str
    label: str
    actor: str | None
    candidates: tuple[str, ...] = ()
    pipeline: str = ""
    method: str = ""
    """How it was linked: gazetteer, surname, context, ambiguous, model or name (unknown)."""


class Build:
    """Everything one build produced, handed to every exporter.

    `graph` (networkx) is made from the dataset and mentions the first time it is asked for:
    Turtle and the HTML view are written from the models, so `timeline build` never needs it
    (8 s at 100k events); GEXF, GraphML and the analysis commands do.
    """

    def __init__(
        self,
        dataset: Dataset,
        graph: nx.MultiDiGraph | None = None,
        mentions: list[Mention] | None = None,
        pipeline: str = "",
        base: str | None = None,
        build_id: str = "",
        media: dict[str, bytes] | None = None,
    ) -> None:
        self.dataset = dataset
        self.media: dict[str, bytes] = media or {}
        """The local media files' bytes, by file as written (the view embeds them)."""
        self.build_id = build_id  # shared by every output of one `timeline build`
        self._graph = graph
        self.mentions: list[Mention] = [] if mentions is None else mentions
        self.pipeline = pipeline
        self.base = base

    @property
    def graph(self) -> nx.MultiDiGraph:
        if self._graph is None:
            self._graph = build_graph(self.dataset, self.mentions)
        return self._graph

    def __repr__(self) -> str:
        return (
            f"Build({len(self.dataset.events)} events, {len(self.mentions)} mentions, "
            f"pipeline={self.pipeline!r}, base={self.base!r})"
        )


def build_graph(dataset: Dataset, mentions: list[Mention] | None = None) -> nx.MultiDiGraph:
    """The actor-event graph of a dataset, with curated participation and extracted mentions."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for a in dataset.actors:
        g.add_node(
            node_id("actor", a.id),
            type="actor",
            id=a.id,
            label=a.name,
            kind=a.kind,
            category=a.category,
            aliases="|".join(a.aliases),
        )
    for src in dataset.sources:
        g.add_node(
            node_id("source", src.id), type="source", id=src.id, label=src.title, kind="source"
        )
    for e in dataset.events_by_date():
        when = e.when
        eid = node_id("event", e.id)
        g.add_node(
            eid,
            type="event",
            id=e.id,
            label=e.title,
            kind=e.type,
            date=str(when),
            date_label=when.label(),
            precision=when.precision,
            approximate=when.approximate,
            earliest=when.earliest.isoformat(),
            latest=when.latest.isoformat(),
            summary=e.summary,
        )
        for p in e.participants:
            g.add_edge(
                eid,
                node_id("actor", p.actor),
                key=f"role:{p.role}",
                type="participant",
                role=p.role,
            )
        for place in e.places:
            key = "role:location"
            if not g.has_edge(eid, node_id("actor", place), key=key):
                g.add_edge(
                    eid, node_id("actor", place), key=key, type="participant", role="location"
                )
        for s in e.sources:
            g.add_edge(eid, node_id("source", s), key="source", type="source")
        if e.part_of:
            g.add_edge(eid, node_id("event", e.part_of), key="part_of", type="part_of")
        for other in e.follows:
            g.add_edge(eid, node_id("event", other), key="follows", type="follows")
        for other in e.caused_by:
            g.add_edge(eid, node_id("event", other), key="caused_by", type="caused_by")
    for c in dataset.claims:
        cid = node_id("claim", c.id)
        g.add_node(
            cid,
            type="claim",
            id=c.id,
            label=c.statement,
            kind="claim",
            value="" if c.value is None else str(c.value),
            disputed=bool(c.disagreements()),
        )
        g.add_edge(cid, node_id("actor", c.claimed_by), key="claimed_by", type="claimed_by")
        if c.about:
            g.add_edge(cid, node_id("event", c.about), key="about", type="about")
        for v in c.verifications:
            g.add_edge(
                cid,
                node_id("actor", v.by),
                key=f"verified_by:{v.verdict}",
                type="verified_by",
                verdict=v.verdict,
                value="" if v.value is None else str(v.value),
            )
    for r in dataset.relations:
        g.add_edge(
            node_id("actor", r.subject),
            node_id("actor", r.object),
            key=r.key,
            type="relation",
            relation=r.type,
            start="" if r.start is None else str(r.start),
            end="" if r.end is None else str(r.end),
        )
    # One edge per event and actor its text names, however often (a weight for graph tools;
    # 1M parallel edges at 100k events were 8 s to build and unusable in Gephi).
    named: dict[tuple[str, str], list[Mention]] = {}
    for m in mentions or []:
        if m.actor is not None:
            named.setdefault((m.event, m.actor), []).append(m)
    for (event, actor), ms in named.items():
        if len(ms) == 1:
            m = ms[0]
            text, spans, method = m.text, f"{m.start}-{m.end}", m.method
        else:
            text = "|".join(dict.fromkeys(m.text for m in ms))
            spans = " ".join(f"{m.start}-{m.end}" for m in ms)
            method = "|".join(dict.fromkeys(m.method for m in ms if m.method))
        g.add_edge(
            node_id("event", event),
            node_id("actor", actor),
            key="mention",
            type="mention",
            count=len(ms),
            text=text,
            spans=spans,
            method=method,
        )
    return g


def actor_graph(
    g: nx.MultiDiGraph, participant_types: tuple[str, ...] = ("participant",)
) -> nx.Graph:
    """Project to actors: two actors are linked by the events they share (weight = count)."""
    import networkx as nx

    out = nx.Graph()
    for n, data in g.nodes(data=True):
        if data.get("type") == "actor":
            out.add_node(n, **data)
    for ev, data in g.nodes(data=True):
        if data.get("type") != "event":
            continue
        actors = sorted(
            {v for _, v, d in g.out_edges(ev, data=True) if d.get("type") in participant_types}
        )
        for i, a in enumerate(actors):
            for b in actors[i + 1 :]:
                if out.has_edge(a, b):
                    out[a][b]["weight"] += 1
                    out[a][b]["events"].append(data["id"])
                else:
                    out.add_edge(a, b, weight=1, events=[data["id"]])
    return out
