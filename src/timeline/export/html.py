"""The interactive view: the actor-event network and the timeline, linked, in one offline HTML file.

This is the only module that imports pyvis. pyvis assembles the vis-network nodes, edges and
options and ships the vis-network bundle; its own HTML templates are not used, because they link
Bootstrap (and, by default, vis-network) from a CDN. Our template in ``timeline/assets/`` inlines
every script and style, so the page makes no network request of any kind.

Curated text never reaches the page as markup: all data travels as JSON inside
``<script type="application/json">`` (with ``<``, ``>`` and ``&`` written as ``\\u003c`` etc., so no
string can close the script element), and the page builds every tooltip and list item with DOM
``textContent``. A Content-Security-Policy allows only the page's own scripts, by hash, as a second
line of defence.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import sys
import webbrowser
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, get_args

from timeline.errors import ExportError
from timeline.graph import Build
from timeline.models import ActorKind, Claim, Dataset, Event, EventType
from timeline.progress import Progress, quiet

MAX_NODES = 1500
"""Above this many actors plus events the network aggregates (see bench/bench_view.py)."""
TOP_ACTORS = 250
"""How many actors, the most connected first, an aggregated network keeps."""
MAX_BINS = 400
"""The most event groups an aggregated network draws; coarser periods are used beyond it."""

VIEW_FILE = "view.html"

CATEGORY_STYLE = {
    "person": ("dot", "#f4a261"),
    "group": ("hexagon", "#e9c46a"),
    "organization": ("square", "#2a9d8f"),
    "place": ("triangle", "#8ab17d"),
}
_TYPE_COLOURS = [
    "#e63946", "#457b9d", "#6a4c93", "#ff7f50", "#1d3557", "#b5838d", "#588157", "#bc6c25",
    "#7b2cbf", "#d62828", "#0081a7", "#8d99ae", "#c9184a", "#3a5a40", "#6c757d", "#9c6644",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
ACTOR_KINDS: tuple[str, ...] = get_args(ActorKind)
TYPE_COLOUR = {t: _TYPE_COLOURS[i % len(_TYPE_COLOURS)] for i, t in enumerate(EVENT_TYPES)}
DISPUTED_BORDER = "#d00000"




# --- the data the page reads ------------------------------------------------------------------


def view_data(build: Build, max_nodes: int = MAX_NODES) -> dict[str, Any]:
    """The JSON-ready data of the view: actors, events, sources, claims and any aggregation."""
    ds = build.dataset
    events = ds.events_by_date()
    event_index = {e.id: i for i, e in enumerate(events)}
    actor_index = {a.id: i for i, a in enumerate(ds.actors)}
    source_index = {s.id: i for i, s in enumerate(ds.sources)}

    # Who takes part in each event (curated roles, places, then actors only its text names),
    # grouped by actor in the order each is first met; read from the models, not the networkx
    # graph, which `timeline build` never has to make.
    mentioned: dict[str, dict[str, None]] = defaultdict(dict)
    for m in build.mentions:
        if m.actor is not None:
            mentioned[m.event][m.actor] = None
    actor_events: dict[int, set[int]] = defaultdict(set)
    participants: list[list[tuple[int, str]]] = []
    for ev, e in enumerate(events):
        participants.append(participant_roles(e, mentioned.get(e.id, ()), actor_index))
        for ac, _ in participants[-1]:
            actor_events[ac].add(ev)

    claims = [_claim(c, ds) for c in ds.claims]
    event_claims: dict[int, list[int]] = defaultdict(list)
    actor_claims: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(ds.claims):
        if c.about is not None and c.about in event_index:
            event_claims[event_index[c.about]].append(i)
        elif c.claimed_by in actor_index:
            actor_claims[actor_index[c.claimed_by]].append(i)

    relations: dict[int, list[list[str]]] = defaultdict(list)
    for r in ds.relations:
        if r.subject in actor_index and r.object in actor_index:
            relations[actor_index[r.subject]].append([r.type, ds.actor(r.object).name])
            relations[actor_index[r.object]].append([f"{r.type} (of)", ds.actor(r.subject).name])

    actors_out = [
        {
            "id": f"actor:{a.id}",
            "name": a.name,
            "kind": a.kind,
            "category": a.category,
            "aliases": list(a.aliases),
            "description": a.description,
            "node": f"actor:{a.id}",
            "events": sorted(actor_events[i]),
            "claims": actor_claims[i],
            "relations": relations[i],
            "disputed": any(claims[c]["disputed"] for c in actor_claims[i]),
        }
        for i, a in enumerate(ds.actors)
    ]
    speakers = {a.id: a.name for a in ds.actors}
    events_out = [
        event_entry(e, participants[i], source_index, event_claims[i],
                    any(claims[c]["disputed"] for c in event_claims[i]), speakers)
        for i, e in enumerate(events)
    ]
    kinds_present = {a.kind for a in ds.actors}
    types_present = {e.type for e in events}
    data: dict[str, Any] = {
        "title": ds.dataset.title,
        "description": ds.dataset.description,
        "kinds": [k for k in ACTOR_KINDS if k in kinds_present],
        "types": [t for t in EVENT_TYPES if t in types_present],
        "typeColours": {t: TYPE_COLOUR[t] for t in EVENT_TYPES if t in types_present},
        "categoryColours": {c: s[1] for c, s in CATEGORY_STYLE.items()},
        "actors": actors_out,
        "events": events_out,
        "sources": [
            {"title": s.title, "publisher": s.publisher, "url": s.url,
             "published": s.published.label() if s.published else None}
            for s in ds.sources
        ],
        "claims": claims,
        "aggregated": False,
        "notice": None,
        "bins": [],
        "links": [],
    }
    total = len(actors_out) + len(events_out)
    if total > max_nodes:
        _aggregate(data, total, max_nodes)
    else:
        data["links"] = _event_links(events, event_index)
    return data


def participant_roles(e: Event, mentioned: Iterable[str], actor_index: dict[str, int]
                      ) -> list[tuple[int, str]]:
    """An event's (actor index, role) pairs as the view lists them: curated roles, places
    ("location"), then the actors only its text names (`mentioned`: "mentioned"), grouped by
    actor in the order each is first met; actors the index lacks are left out."""
    roles: dict[str, list[str]] = {}
    for p in e.participants:
        roles.setdefault(p.actor, []).append(p.role)
    for place in e.places:
        if "location" not in roles.setdefault(place, []):
            roles[place].append("location")
    for actor in mentioned:
        roles.setdefault(actor, []).append("mentioned")
    out: dict[tuple[int, str], None] = {}
    for actor, names in roles.items():
        ac = actor_index.get(actor)
        if ac is not None:
            for role in names:
                out[(ac, role)] = None
    return list(out)


def event_entry(e: Event, participants: list[tuple[int, str]], source_index: dict[str, int],
                claims: list[int], disputed: bool, speakers: dict[str, str]) -> dict[str, Any]:
    """One event of the view's timeline: `participants` are (actor index, role) pairs, `claims`
    the indexes of the claims about it, `speakers` actor names by id. Its "node" is the
    event's own; an aggregated view points it at its group afterwards."""
    when = e.when
    return {
        "id": f"event:{e.id}",
        "node": f"event:{e.id}",
        "title": e.title,
        "type": e.type,
        "status": e.status,
        "date": str(when),
        "label": when.label(),
        "precision": when.precision,
        "approximate": when.approximate,
        "asStated": when.as_stated,
        "dateNote": e.date_note,
        "earliest": when.earliest.isoformat(),
        "latest": when.latest.isoformat(),
        "summary": e.summary,
        "participants": [[a, role] for a, role in participants],
        "sources": [source_index[s] for s in e.sources if s in source_index],
        "claims": claims,
        "quotes": [
            {"text": q.text, "paraphrase": q.paraphrase,
             "speaker": speakers.get(q.speaker, q.speaker) if q.speaker else q.speaker}
            for q in e.quotes
        ],
        "disputed": disputed,
    }


def _claim(c: Claim, ds: Dataset) -> dict[str, Any]:
    def name(actor_id: str) -> str:
        try:
            return ds.actor(actor_id).name
        except KeyError:
            return actor_id

    disagreeing = c.disagreements()
    return {
        "statement": c.statement,
        "claimedBy": name(c.claimed_by),
        "value": c.value,
        "unit": c.unit,
        "approximate": c.approximate,
        "date": c.date.label() if c.date else None,
        "disputed": bool(disagreeing),
        "verifications": [
            {"by": name(v.by), "value": v.value, "approximate": v.approximate,
             "verdict": v.verdict, "note": v.note, "differs": v in disagreeing,
             "date": v.date.label() if v.date else None}
            for v in c.verifications
        ],
    }


def _event_links(events: list[Any], event_index: dict[str, int]) -> list[list[Any]]:
    """Event-to-event links (part of, follows, caused by) as [from index, to index, label]."""
    out: list[list[Any]] = []
    for i, e in enumerate(events):
        if e.part_of in event_index:
            out.append([i, event_index[e.part_of], "part of"])
        out.extend([i, event_index[o], "follows"] for o in e.follows if o in event_index)
        out.extend([i, event_index[o], "caused by"] for o in e.caused_by if o in event_index)
    return out


_PERIODS: list[tuple[str, Callable[[str], str], Callable[[str], str]]] = [
    ("month", lambda iso: iso[:7], lambda p: _month_label(p)),
    ("year", lambda iso: iso[:4], lambda p: p),
    ("decade", lambda iso: iso[:3] + "0s", lambda p: p),
    ("all time", lambda iso: "", lambda p: "all dates"),
]


def _month_label(period: str) -> str:
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return f"{months[int(period[5:7]) - 1]} {period[:4]}"


def _group_events(
    events: list[dict[str, Any]],
) -> tuple[str, Callable[[str], str], dict[tuple[str, str], list[int]]]:
    """Group events by period and type, with the finest period that gives few enough groups."""
    for period_name, key, label in _PERIODS:
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, e in enumerate(events):
            groups[(key(e["earliest"]), e["type"])].append(i)
        if len(groups) <= MAX_BINS:
            return period_name, label, groups
    return period_name, label, groups


def _aggregate(data: dict[str, Any], total: int, max_nodes: int) -> None:
    """Keep the most connected actors and group events by period and type, in place."""
    actors, events = data["actors"], data["events"]
    ranked = sorted(range(len(actors)),
                    key=lambda i: (-len(actors[i]["events"]) - len(actors[i]["relations"]),
                                   actors[i]["id"]))
    keep = set(ranked[:min(TOP_ACTORS, max_nodes // 2)])
    for i, a in enumerate(actors):
        if i not in keep:
            a["node"] = None
    period_name, label, groups = _group_events(events)
    bins = []
    for (period, etype), members in sorted(groups.items()):
        bin_id = f"bin:{period or 'all'}:{etype}"
        for i in members:
            events[i]["node"] = bin_id
        bins.append({"id": bin_id, "period": label(period), "type": etype, "events": members,
                     "disputed": any(events[i]["disputed"] for i in members)})
    data["bins"] = bins
    data["aggregated"] = True
    data["notice"] = (
        f"Large graph: {total:,} actors and events, more than the {max_nodes:,} the network "
        f"draws smoothly. The network shows the {len(keep):,} most connected actors and the "
        f"events grouped by {period_name} and type ({len(bins):,} groups); the timeline lists "
        f"every event."
    )


# --- the network, assembled by pyvis ----------------------------------------------------------


@dataclass
class Counts:
    """What the network counts over every event's participants: each actor's degree (by actor
    index) and, in a grouped view, the roles of each group's kept actors (by group, then
    actor node). Made from the events' entries, or by `relaid` from a view's `Lights`."""

    degree: Sequence[int]
    roles: list[dict[str, Counter[str]]] | None = None

    @classmethod
    def of(cls, data: dict[str, Any]) -> Counts:
        actors, events = data["actors"], data["events"]
        counted = Counter(a for e in events for a, _ in e["participants"])
        degree = [counted[i] for i in range(len(actors))]
        if not data["aggregated"]:
            return cls(degree)
        roles = []
        for b in data["bins"]:
            found: dict[str, Counter[str]] = defaultdict(Counter)
            for i in b["events"]:
                for a, role in events[i]["participants"]:
                    node = actors[a]["node"]
                    if node is not None:
                        found[node][role] += 1
            roles.append(found)
        return cls(degree, roles)


def network_data(data: dict[str, Any], counts: Counts | None = None) -> dict[str, Any]:
    """vis-network nodes, edges and options for the view data, assembled with pyvis."""
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    actors, events = data["actors"], data["events"]
    counts = counts or Counts.of(data)
    degree = counts.degree
    for i, a in enumerate(actors):
        if a["node"] is None:
            continue
        shape, colour = CATEGORY_STYLE[a["category"]]
        net.add_node(a["node"], label=a["name"], shape=shape, size=12 + min(degree[i], 20),
                     color=_colour(colour, a["disputed"]), borderWidth=3 if a["disputed"] else 1,
                     font={"size": 14})
    if data["aggregated"]:
        assert counts.roles is not None
        _aggregated_edges(net, data, counts.roles)
    else:
        for e in events:
            net.add_node(e["node"], label=("⚠ " if e["disputed"] else "") + e["title"],
                         shape="diamond", size=10, font={"size": 11},
                         color=_colour(TYPE_COLOUR[e["type"]], e["disputed"]),
                         borderWidth=3 if e["disputed"] else 1)
        for e in events:
            for a, role in e["participants"]:
                if actors[a]["node"] is not None:
                    net.add_edge(e["node"], actors[a]["node"], label=role,
                                 dashes=role == "mentioned", color="#999999")
        for frm, to, label in data["links"]:
            net.add_edge(events[frm]["node"], events[to]["node"], label=label, dashes=True,
                         color="#c0c0c0")
    names = {a["name"]: a["node"] for a in actors if a["node"] is not None}
    for a in actors:
        for rel, other in a["relations"]:
            if a["node"] is not None and not rel.endswith("(of)") and other in names:
                net.add_edge(a["node"], names[other], label=rel, dashes=[2, 6], color="#b0b0b0")
    n = len(net.nodes)
    net.options = {
        "autoResize": True,
        "nodes": {"font": {"face": "system-ui, sans-serif"}},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
                  "font": {"size": 9, "color": "#555555", "strokeWidth": 2, "align": "middle"},
                  "smooth": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": n > 300},
        # Kamada-Kawai seeding ("improvedLayout") is quadratic: keep it for small graphs only.
        "layout": {"improvedLayout": n <= 150, "randomSeed": 7},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 110,
                                 "avoidOverlap": 0.3},
            "stabilization": {"enabled": True, "iterations": 300 if n <= 300 else 150,
                              "updateInterval": 25, "fit": True},
        },
    }
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    return {"nodes": nodes, "edges": edges, "options": json.loads(options)}


def _aggregated_edges(net: Any, data: dict[str, Any], bin_roles: list[dict[str, Counter[str]]]
                      ) -> None:
    for b, roles in zip(data["bins"], bin_roles, strict=True):
        label = f"{len(b['events'])} × {b['type']} · {b['period']}"
        net.add_node(b["id"], label=("⚠ " if b["disputed"] else "") + label, shape="diamond",
                     size=8 + min(len(b["events"]), 30), font={"size": 11},
                     color=_colour(TYPE_COLOUR[b["type"]], b["disputed"]))
        for node, counts in sorted(roles.items()):
            label = ", ".join(f"{role} ×{n}" for role, n in sorted(counts.items()))
            net.add_edge(b["id"], node, label=label, value=sum(counts.values()), color="#999999")


def _colour(colour: str, disputed: bool) -> dict[str, Any]:
    border = DISPUTED_BORDER if disputed else "#333333"
    return {"background": colour, "border": border,
            "highlight": {"background": colour, "border": "#000000"},
            "hover": {"background": colour, "border": "#000000"}}


# --- the page ---------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files("timeline").joinpath("assets", name).read_text(encoding="utf-8")


def _vis_network_js() -> str:
    import pyvis

    path = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"cannot read the vis-network bundle shipped with pyvis ({path}): "
                          f"{exc.strerror}; reinstall pyvis==0.3.2") from None


def script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' can end or open markup."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


_SLOT = re.compile(r"\{\{ ([a-z_]+) \}\}")


def render_view(build: Build, max_nodes: int = MAX_NODES, progress: Progress = quiet) -> bytes:
    """The whole view as one self-contained HTML page (UTF-8 bytes)."""
    return render_view_indexed(build, max_nodes, progress, lights=False)[0]


class Light(NamedTuple):
    """What the page's aggregates read of one event: its place in date order, type, dispute,
    participants (actor index, role) and network node. `timeline.patch` keeps one per event so
    that a grouped view can be laid out again without the dataset (a named tuple: 100k of them
    are pickled with each cached build)."""

    key: tuple[str, int, str, str, str]  # earliest, precision rank, latest, date, id
    type: str
    disputed: bool
    participants: tuple[tuple[int, str], ...]
    node: str


class Lights:
    """Every event's `Light`, in date order, kept as columns: pickled with each cached build,
    100k events' load in milliseconds this way, where a list of named tuples took 0.4 s."""

    def __init__(self, rows: Iterable[Light]) -> None:
        from array import array

        self.ids: list[str] = []
        self.earliest: list[str] = []
        self.latest: list[str] = []
        self.dates: list[str] = []
        self.ranks = bytearray()
        self.disputed = bytearray()
        self.names: list[str] = []  # event types, roles and nodes, each once
        self.types = array("i")  # codes into `names`
        self.nodes = array("i")
        self.actors = array("i")  # participants, flat: actor index, role code
        self.roles = array("i")
        self.starts = array("i", [0])  # where each event's participants start
        self._codes: dict[str, int] = {}
        for row in rows:
            self._append(row)

    def _code(self, name: str) -> int:
        if name not in self._codes:
            self._codes[name] = len(self.names)
            self.names.append(name)
        return self._codes[name]

    def _append(self, row: Light) -> None:
        earliest, rank, latest, date, ident = row.key
        self.ids.append(ident)
        self.earliest.append(earliest)
        self.latest.append(latest)
        self.dates.append(date)
        self.ranks.append(rank)
        self.disputed.append(row.disputed)
        self.types.append(self._code(row.type))
        self.nodes.append(self._code(row.node))
        for a, role in row.participants:
            self.actors.append(a)
            self.roles.append(self._code(role))
        self.starts.append(len(self.actors))

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_codes"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._codes = {name: i for i, name in enumerate(self.names)}

    def __len__(self) -> int:
        return len(self.ids)

    def key(self, i: int) -> tuple[str, int, str, str, str]:
        return (self.earliest[i], self.ranks[i], self.latest[i], self.dates[i], self.ids[i])

    def event(self, i: int) -> dict[str, Any]:
        """What `_aggregate` and `network_data` read of an event entry."""
        names, a, b = self.names, self.starts[i], self.starts[i + 1]
        return {"id": self.ids[i], "earliest": self.earliest[i], "type": names[self.types[i]],
                "disputed": bool(self.disputed[i]),
                "participants": list(zip(self.actors[a:b], map(names.__getitem__,
                                                                self.roles[a:b]), strict=True)),
                "node": names[self.nodes[i]]}

    def spliced(self, order: list[int | Light]) -> Lights:
        """New lights in `order`: runs of these lights' rows (by index) and new rows."""
        out = Lights(())
        out.names, out._codes = list(self.names), dict(self._codes)
        i = 0
        while i < len(order):
            item = order[i]
            if not isinstance(item, int):
                out._append(item)
                i += 1
                continue
            a = b = item  # a run of rows that follow one another here: [a, b)
            while i < len(order) and order[i] == b:
                b += 1
                i += 1
            for name in ("ids", "earliest", "latest", "dates", "ranks", "disputed", "types",
                         "nodes"):
                getattr(out, name).extend(getattr(self, name)[a:b])
            first, last = self.starts[a], self.starts[b]
            out.actors.extend(self.actors[first:last])
            out.roles.extend(self.roles[first:last])
            shift = out.starts[-1] - first
            out.starts.extend(s + shift for s in self.starts[a + 1:b + 1])
        return out

    def with_row(self, entry_id: str, row: Light) -> Lights:
        """These lights with one event's row replaced (its place and participants the same)."""
        import copy

        i = self.ids.index(entry_id)
        new = copy.copy(self)
        new.earliest, new.latest, new.dates = list(self.earliest), list(self.latest), \
            list(self.dates)
        new.ranks, new.disputed = bytearray(self.ranks), bytearray(self.disputed)
        earliest, rank, latest, date, _ = row.key
        new.earliest[i], new.ranks[i], new.latest[i], new.dates[i] = earliest, rank, latest, date
        new.disputed[i] = row.disputed
        return new


@dataclass
class ViewLayout:
    """Where the pieces of a rendered view lie (byte offset, length), and what lays it out."""

    events: dict[str, tuple[int, int]]  # event id -> its entry, in date order
    keys: dict[str, tuple[int, int]]  # top-level data key -> its piece (`,"key":value`)
    after: int  # where the page after the data begins (the network, the scripts)
    aggregated: bool
    max_nodes: int
    light: Lights | None = None  # grouped views: every event, in date order
    actors: list[dict[str, Any]] | None = None  # grouped views: the actor entries, no events


def order_key(entry: dict[str, Any]) -> tuple[str, int, str, str, str]:
    """An event entry's place in date order, as `Dataset.events_by_date` sorts (ISO dates of
    four-digit years sort as the dates do)."""
    from timeline.dates import _RANK

    return (entry["earliest"], _RANK[entry["precision"]], entry["latest"], entry["date"],
            entry["id"])


def light(entry: dict[str, Any]) -> Light:
    return Light(order_key(entry), entry["type"], entry["disputed"],
                 tuple((a, role) for a, role in entry["participants"]), entry["node"])


def render_view_indexed(build: Build, max_nodes: int = MAX_NODES, progress: Progress = quiet,
                        lights: bool = True) -> tuple[bytes, ViewLayout]:
    """`render_view`, and where its pieces lie (`ViewLayout`): `timeline.patch` rewrites an
    edited event's entry in place from these, or (with `lights`) lays a grouped view out
    again."""
    from timeline.load import gc_paused

    with gc_paused():  # a million small dicts and lists at 100k events, none in cycles
        progress("view: timeline data")
        data = view_data(build, max_nodes=max_nodes)
        progress("view: network layout data")
        network = network_data(data)
    progress("view: page")
    before, after = _page_parts(data["title"], network)
    out = [before, b"{"]
    at = len(before) + 1
    layout = ViewLayout({}, {}, 0, data["aggregated"], max_nodes)
    for k, (key, value) in enumerate(data.items()):
        head = ("," if k else "") + json.dumps(key) + ":"
        if key != "events":
            piece = (head + script_json(value)).encode("utf-8")
            layout.keys[key] = (at, len(piece))
            out.append(piece)
            at += len(piece)
            continue
        out.append((head + "[").encode("utf-8"))
        at += len(out[-1])
        for i, entry in enumerate(value):
            if i:
                out.append(b",")
                at += 1
            out.append(script_json(entry).encode("utf-8"))
            layout.events[entry["id"][len("event:"):]] = (at, len(out[-1]))
            at += len(out[-1])
        out.append(b"]")
        at += 1
    out.append(b"}")
    layout.after = at + 1
    out.append(after)
    if data["aggregated"] and lights:
        layout.light = Lights(light(e) for e in data["events"])
        layout.actors = [{**a, "events": []} for a in data["actors"]]
    return b"".join(out), layout


def _page_parts(title: str, network: dict[str, Any]) -> tuple[bytes, bytes]:
    """The page before and after the data. One pass over each side of the data slot, so text
    inserted into one slot is never read as another slot. The data is the compact JSON of
    `view_data`, written key by key so that each event's entry is a piece of its own; joined,
    the pieces are `script_json(data)`."""
    vis_js = _vis_network_js()
    app_js = _asset("view.js")
    if "</script" in vis_js.lower() or "</script" in app_js.lower():
        raise ExportError("a bundled script contains '</script'; it cannot be inlined")
    slots = {
        "title": html.escape(title),
        "csp": f"{_csp_hash(vis_js)} {_csp_hash(app_js)}",
        "style": _asset("view.css"),
        "network": script_json(network),
        "vis_js": vis_js,
        "app_js": app_js,
    }
    before, after = _asset("view.html").split("{{ data }}")
    return (_SLOT.sub(lambda m: slots[m.group(1)], before).encode("utf-8"),
            _SLOT.sub(lambda m: slots[m.group(1)], after).encode("utf-8"))


Piece = tuple[tuple[int, int], bytes]  # the bytes that take the place of (offset, length)


def relaid(layout: ViewLayout, title: str, size: int, entries: dict[str, dict[str, Any]]
           ) -> tuple[list[Piece], ViewLayout] | None:
    """A grouped view laid out again with some events' entries new (`entries`, by event id;
    their "node" is set here): the pieces that replace parts of the previous page (of `size`
    bytes), in order, and the new layout. Events move to their new place in date order;
    actors' event lists, the groups, the most connected actors and the network are made again
    from every event's `Light`, by the code that made them. None when the grouping itself
    changes (another period), since every entry would change; the caller then builds in full."""
    import bisect

    assert layout.light is not None and layout.actors is not None
    lights = layout.light
    changed = {"event:" + k for k in entries}
    keep = [i for i, ident in enumerate(lights.ids) if ident not in changed]
    if not keep:
        return None
    new = sorted((light({**e, "node": ""}) for e in entries.values()), key=lambda x: x.key)

    order: list[int | Light] = list(keep)
    for row in reversed(new):  # from the last, so that earlier places stay put
        order.insert(bisect.bisect_left(keep, row.key, key=lights.key), row)
    ids = [(lights.ids[x] if isinstance(x, int) else x.key[4])[len("event:"):] for x in order]

    # The aggregates, made again as `view_data` and `_aggregate` make them, from the new
    # lights; what they count over the participants, with numpy (100k events, ~800k pairs).
    new_lights = lights.spliced(order)
    events: list[dict[str, Any]] = [
        {"id": i, "earliest": e, "type": new_lights.names[t], "disputed": bool(d), "node": None}
        for i, e, t, d in zip(new_lights.ids, new_lights.earliest, new_lights.types,
                              new_lights.disputed, strict=True)]
    participants = _flat(new_lights)
    actor_events = participants.actor_events(len(layout.actors))
    actors = [{**a, "node": a["id"], "events": actor_events[i]}
              for i, a in enumerate(layout.actors)]
    data: dict[str, Any] = {"actors": actors, "events": events, "aggregated": True}
    _aggregate(data, len(actors) + len(events), layout.max_nodes)
    made: dict[str, bytes] = {}
    nodes = new_lights.nodes
    for m, (k, x, e) in enumerate(zip(ids, order, events, strict=True)):
        if not isinstance(x, int):
            made[k] = script_json({**entries[k], "node": e["node"]}).encode("utf-8")
            nodes[m] = new_lights._code(e["node"])
        elif new_lights.names[nodes[m]] != e["node"]:
            return None  # the events' groups changed: every entry names its group
    counts = participants.counts(data, new_lights.names)
    types_present = {e["type"] for e in events}
    types = [t for t in EVENT_TYPES if t in types_present]
    values = {"types": types, "typeColours": {t: TYPE_COLOUR[t] for t in types},
              "actors": actors, "notice": data["notice"], "bins": data["bins"]}
    pieces: list[Piece] = [(layout.keys[key], f",{json.dumps(key)}:{script_json(value)}"
                            .encode()) for key, value in values.items()]

    # The events: runs of entries kept in order are copied as they lie; the gap before, between
    # and after the runs (entries that moved away, and their commas) takes those now there.
    old = layout.events
    runs: list[list[int]] = []  # [start, end] in the old page
    between: list[list[str]] = [[]]  # new entries before the first run, after each run
    for k in ids:
        if k in made:
            between[-1].append(k)
            continue
        off, n = old[k]
        if runs and not between[-1] and runs[-1][1] + 1 == off:
            runs[-1][1] = off + n  # the next entry of the old page: the same run
        else:
            runs.append([off, off + n])
            between.append([])
    first = min(off for off, _ in old.values())
    last = max(off + n for off, n in old.values())
    gaps = [first, *(r[1] for r in runs)]
    ends = [*(r[0] for r in runs), last]
    placed: dict[str, tuple[int, int]] = {}  # new entry -> (start of its gap, offset inside)
    for j, (start, end, names) in enumerate(zip(gaps, ends, between, strict=True)):
        inner = [made[k] for k in names]
        if j == 0:  # before the first run: each entry and its comma
            text, at = b"".join(b + b"," for b in inner), 0
        elif j == len(gaps) - 1:  # after the last run: a comma and each entry
            text, at = b"".join(b"," + b for b in inner), 1
        else:  # between two runs: a comma, then each entry and its comma
            text, at = b"," + b"".join(b + b"," for b in inner), 1
        for k, b in zip(names, inner, strict=True):
            placed[k] = (start, at)
            at += len(b) + 1
        if text or end > start:
            pieces.append(((start, end - start), text))
    after = _page_parts(title, network_data(data, counts))[1]
    pieces.append(((layout.after, size - layout.after), after))
    pieces.sort(key=lambda p: p[0])

    moved, begins = movers(pieces)
    index: dict[str, tuple[int, int]] = {}
    for k in ids:
        if k in made:
            gap, inside = placed[k]
            index[k] = (begins(gap) + inside, len(made[k]))
        else:
            off, n = old[k]
            index[k] = (moved(off), n)
    keys = {}
    for key, (off, n) in layout.keys.items():
        if key in values:
            keys[key] = (begins(off), len(next(t for (o, _), t in pieces if o == off)))
        else:
            keys[key] = (moved(off), n)
    return pieces, ViewLayout(index, keys, begins(layout.after), True, layout.max_nodes,
                              new_lights, layout.actors)


@dataclass
class _Flat:
    """Every participant of a view's events as numpy columns: event index, actor index, role."""

    event: Any
    actor: Any
    role: Any

    def actor_events(self, n_actors: int) -> list[list[int]]:
        """Each actor's events, sorted (as `view_data` lists them)."""
        import numpy as np

        n = int(self.event.max()) + 1 if len(self.event) else 1
        pairs = np.unique(self.actor.astype(np.int64) * n + self.event)
        actors, events = pairs // n, pairs % n
        bounds = np.searchsorted(actors, np.arange(n_actors + 1))
        flat = events.tolist()
        return [flat[bounds[i]:bounds[i + 1]] for i in range(n_actors)]

    def counts(self, data: dict[str, Any], names: list[str]) -> Counts:
        """`Counts.of(data)`, counted over these columns."""
        import numpy as np

        actors = data["actors"]
        degree = np.bincount(self.actor, minlength=len(actors)).tolist()
        group = np.empty(len(data["events"]), dtype=np.int64)
        for j, b in enumerate(data["bins"]):
            group[b["events"]] = j
        kept = np.array([a["node"] is not None for a in actors], dtype=bool)
        rows = kept[self.actor] if len(self.actor) else np.zeros(0, dtype=bool)
        n_roles = len(names)
        key = (group[self.event[rows]] * len(actors) + self.actor[rows]) * n_roles + \
            self.role[rows]
        found, times = np.unique(key, return_counts=True)
        roles: list[dict[str, Counter[str]]] = [defaultdict(Counter) for _ in data["bins"]]
        for k, t in zip(found.tolist(), times.tolist(), strict=True):
            rest, role = divmod(k, n_roles)
            j, a = divmod(rest, len(actors))
            roles[j][actors[a]["node"]][names[role]] = t
        return Counts(degree, roles)


def _flat(lights: Lights) -> _Flat:
    import numpy as np

    def column(values: Any) -> Any:
        return np.frombuffer(values, dtype=np.dtype(f"i{values.itemsize}")).astype(np.int64)

    starts = column(lights.starts)
    return _Flat(np.repeat(np.arange(len(lights), dtype=np.int64), np.diff(starts)),
                 column(lights.actors), column(lights.roles))


def in_place(layout: ViewLayout, entries: dict[str, dict[str, Any]]
             ) -> tuple[list[Piece], ViewLayout]:
    """Events' new entries written where the old ones lie (their place in date order and their
    group are unchanged): the pieces that replace them, in order, and the new layout."""
    made = {k: script_json(e).encode("utf-8") for k, e in entries.items()}
    pieces = sorted((layout.events[k], b) for k, b in made.items())
    moved, begins = movers(pieces)
    index = {k: (begins(off), len(made[k])) if k in made else (moved(off), n)
             for k, (off, n) in layout.events.items()}
    keys = {key: (moved(off), n) for key, (off, n) in layout.keys.items()}
    lights = layout.light
    if lights is not None:  # dates may have changed within their place and group
        for e in entries.values():
            lights = lights.with_row(e["id"], light(e))
    return pieces, ViewLayout(index, keys, moved(layout.after), layout.aggregated,
                              layout.max_nodes, lights, layout.actors)


def movers(pieces: list[Piece]) -> tuple[Callable[[int], int], Callable[[int], int]]:
    """For pieces (in order) replacing parts of a file: where a byte the pieces keep now
    lies, and where a piece now begins, by what the pieces before added or removed."""
    import bisect

    starts = [off for (off, _), _ in pieces]
    shifts: list[int] = []
    total = 0
    for (_, n), text in pieces:
        total += len(text) - n
        shifts.append(total)

    def moved(off: int) -> int:  # pieces at or before it
        i = bisect.bisect_right(starts, off)
        return off + (shifts[i - 1] if i else 0)

    def begins(off: int) -> int:  # pieces before it
        i = bisect.bisect_left(starts, off)
        return off + (shifts[i - 1] if i else 0)

    return moved, begins


# --- opening the built page -------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """What `open_view` did: opened the page in a browser, or found no display to open it on."""

    path: Path
    opened: bool


def has_display() -> bool:
    """True when a graphical browser can be shown (always on macOS and Windows)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def find_view(path: str | Path) -> Path:
    """The view file for a build folder or a view file; an error says how to build one."""
    p = Path(path)
    folder = p.parent if p.suffix.lower() in (".html", ".htm") else p
    target = p if folder is not p else p / VIEW_FILE
    if not target.is_file():
        raise ExportError(f"no view at {target}; build one first: "
                          f"timeline build data/events.yaml -o {folder}/")
    return target.resolve()


def open_view(path: str | Path, opener: Callable[[str], bool] | None = None) -> Opened:
    """Open a built view in the default browser, or report that there is no display."""
    target = find_view(path)
    if not has_display():
        return Opened(target, False)
    opened = (opener or webbrowser.open)(target.as_uri())
    return Opened(target, bool(opened))
