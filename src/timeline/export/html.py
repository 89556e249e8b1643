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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, get_args

from timeline.errors import ExportError
from timeline.focus import frame
from timeline.graph import Build
from timeline.models import BUILTIN_TYPES, ActorKind, Claim, Dataset, Event, Media
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
    "object": ("star", "#b5838d"),
}
"""Each actor category's usual shape and colour (the legend's headings)."""
# Kinds differ by shape and shade within their category's colour family: organisations in blues
# and teals, places in greens. Events are diamonds, so no actor is one.
KIND_STYLE = {
    "person": ("dot", "#f4a261"),
    "group": ("hexagon", "#e9c46a"),
    "organization": ("square", "#2a9d8f"),
    "government": ("square", "#1d4e89"),
    "agency": ("hexagon", "#3a86c8"),
    "ngo": ("triangleDown", "#48a9a6"),
    "armed-forces": ("star", "#264653"),
    "armed-group": ("triangle", "#5e60ce"),
    "media": ("dot", "#7fb7e0"),
    "country": ("square", "#3a5a40"),
    "region": ("hexagon", "#6a994e"),
    "city": ("triangle", "#8ab17d"),
    "facility": ("triangleDown", "#a3b18a"),
    "object": ("star", "#b5838d"),
}
_TYPE_COLOURS = [
    "#e63946",
    "#457b9d",
    "#6a4c93",
    "#ff7f50",
    "#1d3557",
    "#b5838d",
    "#588157",
    "#bc6c25",
    "#7b2cbf",
    "#d62828",
    "#0081a7",
    "#8d99ae",
    "#c9184a",
    "#3a5a40",
    "#6c757d",
    "#9c6644",
]
EVENT_TYPES = BUILTIN_TYPES
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
    participants: list[list[tuple[int, str, bool]]] = []
    for ev, e in enumerate(events):
        participants.append(participant_roles(e, mentioned.get(e.id, ()), actor_index))
        for ac, _, _ in participants[-1]:
            actor_events[ac].add(ev)

    sources_of = media_sources(build.media)
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
            "review": list(a.review),
            "node": f"actor:{a.id}",
            "events": sorted(actor_events[i]),
            "claims": actor_claims[i],
            "relations": relations[i],
            "disputed": any(claims[c]["disputed"] for c in actor_claims[i]),
            "media": media_entries(a.media, sources_of),
        }
        for i, a in enumerate(ds.actors)
    ]
    speakers = {a.id: a.name for a in ds.actors}
    events_out = [
        event_entry(
            e,
            participants[i],
            source_index,
            event_claims[i],
            any(claims[c]["disputed"] for c in event_claims[i]),
            speakers,
            sources_of,
        )
        for i, e in enumerate(events)
    ]
    kinds_present = {a.kind for a in ds.actors}
    types_present = {e.type for e in events}
    # The focus period sets the time axis; background spans are drawn compressed before it.
    focus = frame(events)
    last = max((e["latest"] for e in events_out if e["latest"]), default=focus.last.isoformat())
    for entry in events_out:
        if not entry["earliest"]:  # an unknown date with no bound: at the end of the axis
            entry["earliest"] = entry["latest"] = last
    data: dict[str, Any] = {
        "title": ds.dataset.title,
        "description": ds.dataset.description,
        "kinds": [k for k in ACTOR_KINDS if k in kinds_present],
        # a dataset's own types (dataset: event_types) take their parent type's colour
        "types": [t for t in (*EVENT_TYPES, *ds.dataset.event_types) if t in types_present],
        "typeColours": {
            t: TYPE_COLOUR[ds.base_type(t)]
            for t in (*EVENT_TYPES, *ds.dataset.event_types)
            if t in types_present
        },
        "categoryColours": {c: s[1] for c, s in CATEGORY_STYLE.items()},
        "kindStyles": {
            k: {"shape": KIND_STYLE[k][0], "colour": KIND_STYLE[k][1]}
            for k in ACTOR_KINDS
            if k in kinds_present
        },
        "focus": {
            "first": focus.first.isoformat(),
            "last": focus.last.isoformat(),
            "background": [i for i, e in enumerate(events) if e.id in focus.background],
        },
        "actors": actors_out,
        "events": events_out,
        "sources": [
            {
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url,
                "published": s.published.label() if s.published else None,
            }
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


def participant_roles(
    e: Event, mentioned: Iterable[str], actor_index: dict[str, int]
) -> list[tuple[int, str, bool]]:
    """An event's participants as the view lists them, one (actor index, role, named) per
    actor: curated roles and places ("location") joined in one role ("agent, target"), then the
    actors only its text names ("mentioned"). `named` is True when the text names the actor, so
    a curated role is never doubled by a "mentioned" one; actors the index lacks are left out."""
    roles: dict[str, list[str]] = {}
    for p in e.participants:
        if p.role not in roles.setdefault(p.actor, []):
            roles[p.actor].append(p.role)
    for place in e.places:
        if "location" not in roles.setdefault(place, []):
            roles[place].append("location")
    named = set(mentioned)
    for actor in mentioned:
        roles.setdefault(actor, [])
    out = []
    for actor, names in roles.items():
        ac = actor_index.get(actor)
        if ac is not None:
            out.append((ac, ", ".join(names) or "mentioned", actor in named))
    return out


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def event_entry(
    e: Event,
    participants: list[tuple[int, str, bool]],
    source_index: dict[str, int],
    claims: list[int],
    disputed: bool,
    speakers: dict[str, str],
    media: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One event of the view's timeline: `participants` are (actor index, role, named), `claims`
    the indexes of the claims about it, `speakers` actor names by id. Its "node" is the
    event's own; an aggregated view points it at its group afterwards."""
    when = e.when
    return {
        "id": f"event:{e.id}",
        "node": f"event:{e.id}",
        "title": e.title,
        "type": e.type,
        "status": e.status,
        "review": list(e.review),
        "date": str(when),
        "label": when.label(),
        "precision": when.precision,
        "approximate": when.approximate,
        "asStated": when.as_stated,
        "dateNote": e.date_note,
        # the axis draws an open or unknown date on the day that bounds it (one with no bound:
        # `view_data` puts it after the last dated event)
        "earliest": when.earliest.isoformat() if when.known else _iso(when.day),
        "latest": when.latest.isoformat() if when.known else _iso(when.day),
        "open": when.open if not when.undated else None,
        "unknown": when.undated,
        "summary": e.summary,
        "participants": [[a, role, named] for a, role, named in participants],
        "sources": [source_index[s] for s in e.sources if s in source_index],
        "claims": claims,
        "quotes": [
            {
                "text": q.text,
                "paraphrase": q.paraphrase,
                "speaker": speakers.get(q.speaker, q.speaker) if q.speaker else q.speaker,
            }
            for q in e.quotes
        ],
        "disputed": disputed,
        "media": media_entries(e.media, media or {}),
    }


MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".avif": "image/avif",
}


def media_sources(files: dict[str, bytes]) -> dict[str, str]:
    """Local images as data: URIs (file as written -> URI), so the page stays one offline
    file; the Content-Security-Policy allows images from data: only."""
    out = {}
    for name, data in files.items():
        mime = MIME.get(os.path.splitext(name)[1].lower())
        if mime:
            out[name] = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    return out


def media_entries(media: Iterable[Media], sources: dict[str, str]) -> list[dict[str, Any]]:
    """An item's media as the page shows them: local images embedded (`src`), anything on the
    web as a link (`url`): the page itself never loads from the network."""
    return [
        {
            "src": sources.get(m.file) if m.file else None,
            "url": m.url,
            "file": m.file,
            "image": m.is_image,
            "alt": m.alt,
            "caption": m.caption,
            "credit": m.credit,
        }
        for m in media
    ]


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
            {
                "by": name(v.by),
                "value": v.value,
                "approximate": v.approximate,
                "verdict": v.verdict,
                "note": v.note,
                "differs": v in disagreeing,
                "date": v.date.label() if v.date else None,
            }
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
    ranked = sorted(
        range(len(actors)),
        key=lambda i: (-len(actors[i]["events"]) - len(actors[i]["relations"]), actors[i]["id"]),
    )
    keep = set(ranked[: min(TOP_ACTORS, max_nodes // 2)])
    for i, a in enumerate(actors):
        if i not in keep:
            a["node"] = None
    period_name, label, groups = _group_events(events)
    bins = []
    for (period, etype), members in sorted(groups.items()):
        bin_id = f"bin:{period or 'all'}:{etype}"
        for i in members:
            events[i]["node"] = bin_id
        bins.append(
            {
                "id": bin_id,
                "period": label(period),
                "type": etype,
                "events": members,
                "disputed": any(events[i]["disputed"] for i in members),
            }
        )
    data["bins"] = bins
    data["aggregated"] = True
    data["notice"] = (
        f"Large graph: {total:,} actors and events, more than the {max_nodes:,} the network "
        f"draws smoothly. The network shows the {len(keep):,} most connected actors and the "
        f"events grouped by {period_name} and type ({len(bins):,} groups); the timeline lists "
        f"every event."
    )


# --- the network, assembled by pyvis ----------------------------------------------------------


def _counts(data: dict[str, Any]) -> tuple[list[int], list[dict[str, Counter[str]]]]:
    """What the network counts over every event's participants: each actor's degree (by actor
    index) and, in a grouped view, the roles of each group's kept actors (by group, then
    actor node)."""
    actors, events = data["actors"], data["events"]
    counted = Counter(a for e in events for a, _, _ in e["participants"])
    degree = [counted[i] for i in range(len(actors))]
    roles = []
    for b in data.get("bins", ()):
        found: dict[str, Counter[str]] = defaultdict(Counter)
        for i in b["events"]:
            for a, role, _ in events[i]["participants"]:
                node = actors[a]["node"]
                if node is not None:
                    found[node][role] += 1
        roles.append(found)
    return degree, roles


MAX_PAIR_EDGES = 4
"""An actor network keeps at most this many shared-event edges per actor drawn, the heaviest."""


def actor_pairs(data: dict[str, Any]) -> list[tuple[int, int, list[int]]]:
    """Pairs of drawn actors that share events, with those events (indexes, in date order), the
    heaviest first; at most `MAX_PAIR_EDGES` per drawn actor, so a large graph stays legible."""
    actors, events = data["actors"], data["events"]
    shared: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, e in enumerate(events):
        drawn = sorted({a for a, _, _ in e["participants"] if actors[a]["node"] is not None})
        for x, a in enumerate(drawn):
            for b in drawn[x + 1 :]:
                shared[(a, b)].append(i)
    ranked = sorted(shared.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    limit = MAX_PAIR_EDGES * sum(a["node"] is not None for a in actors)
    return [(a, b, evs) for (a, b), evs in ranked[:limit]]


def _main_type(events: list[dict[str, Any]], indexes: list[int]) -> str:
    """The commonest event type among `indexes` (ties go to the type listed first)."""
    counted = Counter(events[i]["type"] for i in indexes)
    order = {t: i for i, t in enumerate(EVENT_TYPES)}
    return min(counted, key=lambda t: (-counted[t], order.get(t, len(order)), t))


def network_data(data: dict[str, Any]) -> dict[str, Any]:
    """vis-network nodes, edges and options of the view's two networks, assembled with pyvis:
    "actors" (actors as nodes, their shared events as weighted edges coloured by the commonest
    event type: the default) and "events" (actors and events as nodes, one edge per actor-event
    pair carrying the role, or events grouped in a large graph)."""
    return {
        "actors": _network(data, "actors"),
        "events": _network(data, "events"),
        "options": _options(),
    }


def _network(data: dict[str, Any], mode: str) -> dict[str, Any]:
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    actors, events = data["actors"], data["events"]
    degree, roles = _counts(data)
    for i, a in enumerate(actors):
        if a["node"] is None:
            continue
        shape, colour = KIND_STYLE[a["kind"]]
        net.add_node(
            a["node"],
            label=a["name"],
            shape=shape,
            size=10 + min(degree[i], 16),
            color=_colour(colour, a["disputed"]),
            borderWidth=3 if a["disputed"] else 1,
            font={"size": 15},
            widthConstraint={"maximum": 120},
        )
    if mode == "actors":
        for a, b, shared in actor_pairs(data):
            colour = data["typeColours"][_main_type(events, shared)]
            net.add_edge(
                actors[a]["node"],
                actors[b]["node"],
                value=len(shared),
                events=shared,
                color={"color": colour, "highlight": colour, "hover": colour, "opacity": 0.75},
                arrows={"to": {"enabled": False}},
            )
    elif data["aggregated"]:
        _aggregated_edges(net, data, roles)
    else:
        for e in events:
            net.add_node(
                e["node"],
                label=("⚠ " if e["disputed"] else "") + e["title"],
                shape="diamond",
                size=10,
                font={"size": 11},
                color=_colour(data["typeColours"][e["type"]], e["disputed"]),
                borderWidth=3 if e["disputed"] else 1,
                shapeProperties={"borderDashes": [4, 3] if e["status"] != "occurred" else False},
            )
        for e in events:
            for a, role, named in e["participants"]:
                if actors[a]["node"] is not None:
                    # One edge per actor and event: a curated role the text also names is marked.
                    net.add_edge(
                        e["node"],
                        actors[a]["node"],
                        label=role + (" · named" if named and role != "mentioned" else ""),
                        dashes=role == "mentioned",
                        color="#999999",
                    )
        for frm, to, label in data["links"]:
            net.add_edge(
                events[frm]["node"], events[to]["node"], label=label, dashes=True, color="#c0c0c0"
            )
    names = {a["name"]: a["node"] for a in actors if a["node"] is not None}
    for a in actors:
        for rel, other in a["relations"]:
            if a["node"] is not None and not rel.endswith("(of)") and other in names:
                # The actor network leaves relation labels to the details, to stay legible.
                net.add_edge(
                    a["node"],
                    names[other],
                    label=rel if mode == "events" else None,
                    relation=rel,
                    dashes=[2, 6],
                    color="#8a8a8a",
                )
    nodes, edges, *_ = net.get_network_data()
    return {"nodes": nodes, "edges": edges}


def _options() -> dict[str, Any]:
    """vis-network options; the page sets the physics' iterations by the size it draws."""
    return {
        "autoResize": True,
        "nodes": {
            "font": {
                "face": "system-ui, sans-serif",
                "color": "#1d1d1f",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            }
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
            "font": {"size": 9, "color": "#555555", "strokeWidth": 2, "align": "middle"},
            "smooth": False,
            "scaling": {"min": 1, "max": 9},
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "keyboard": False},
        "layout": {"randomSeed": 7},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -45,
                "centralGravity": 0.015,
                "springLength": 70,
                "avoidOverlap": 0.8,
            },
            "stabilization": {"enabled": True, "iterations": 300, "updateInterval": 25},
        },
    }


def _aggregated_edges(
    net: Any, data: dict[str, Any], bin_roles: list[dict[str, Counter[str]]]
) -> None:
    for b, roles in zip(data["bins"], bin_roles, strict=True):
        label = f"{len(b['events'])} × {b['type']} · {b['period']}"
        net.add_node(
            b["id"],
            label=("⚠ " if b["disputed"] else "") + label,
            shape="diamond",
            size=8 + min(len(b["events"]), 30),
            font={"size": 11},
            color=_colour(data["typeColours"][b["type"]], b["disputed"]),
        )
        for node, counts in sorted(roles.items()):
            label = ", ".join(f"{role} ×{n}" for role, n in sorted(counts.items()))
            net.add_edge(b["id"], node, label=label, value=sum(counts.values()), color="#999999")


def _colour(colour: str, disputed: bool) -> dict[str, Any]:
    border = DISPUTED_BORDER if disputed else "#333333"
    return {
        "background": colour,
        "border": border,
        "highlight": {"background": colour, "border": "#000000"},
        "hover": {"background": colour, "border": "#000000"},
    }


# --- the page ---------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files("timeline").joinpath("assets", name).read_text(encoding="utf-8")


def _vis_network_js() -> str:
    import pyvis

    path = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExportError(
            f"cannot read the vis-network bundle shipped with pyvis ({path}): "
            f"{exc.strerror}; reinstall pyvis==0.3.2"
        ) from None


def script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' can end or open markup."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


_SLOT = re.compile(r"\{\{ ([a-z_]+) \}\}")


def render_view(build: Build, max_nodes: int = MAX_NODES, progress: Progress = quiet) -> bytes:
    """The whole view as one self-contained HTML page (UTF-8 bytes)."""
    from timeline.load import gc_paused

    with gc_paused():  # a million small dicts and lists at 100k events, none in cycles
        progress("view: timeline data")
        data = view_data(build, max_nodes=max_nodes)
        progress("view: network layout data")
        network = network_data(data)
    progress("view: page")
    vis_js = _vis_network_js()
    app_js = _asset("view.js")
    if "</script" in vis_js.lower() or "</script" in app_js.lower():
        raise ExportError("a bundled script contains '</script'; it cannot be inlined")
    slots = {
        "title": html.escape(data["title"]),
        "build": html.escape(build.build_id),
        "csp": f"{csp_hash(vis_js)} {csp_hash(app_js)}",
        "style": _asset("view.css"),
        "network": script_json(network),
        "vis_js": vis_js,
        "app_js": app_js,
    }
    # One pass over each side of the data, so text put into one slot is never read as another.
    before, after = _asset("view.html").split("{{ data }}")
    return b"".join(
        [
            _SLOT.sub(lambda m: slots[m.group(1)], before).encode("utf-8"),
            script_json(data).encode("utf-8"),
            _SLOT.sub(lambda m: slots[m.group(1)], after).encode("utf-8"),
        ]
    )


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
        raise ExportError(
            f"no view at {target}; build one first: timeline build data/events.yaml -o {folder}/"
        )
    # absolute, but not through the symlinks of a build folder: OUT/view.html stays the newest
    return Path(os.path.abspath(target))


def open_view(path: str | Path, opener: Callable[[str], bool] | None = None) -> Opened:
    """Open a built view in the default browser, or report that there is no display."""
    target = find_view(path)
    if not has_display():
        return Opened(target, False)
    opened = (opener or webbrowser.open)(target.as_uri())
    return Opened(target, bool(opened))
