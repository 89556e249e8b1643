"""Query engine benchmark: pyoxigraph (in memory) against rdflib on the same saved queries.

    .venv/bin/python bench/bench_query.py                      # 100k events; rdflib on 1k
    .venv/bin/python bench/bench_query.py --events 20000 --rdflib-events 2000

The synthetic graph has the shape `timeline.export.rdf.to_rdf` writes (SEM events with
participation nodes and roles, earliest/latest xsd:date bounds, labels, sources, claims with
verifications); it is written straight to N-Triples because building 100k events through rdflib
would take longer than the benchmark itself. Actors are drawn from a skewed distribution, so a
few hubs appear in thousands of events (the worst case for "events of an actor"). Each saved
query runs with its parameters bound exactly as `timeline query` binds them; the figure is the
median of --repeat runs. rdflib runs at a smaller size because its engine is too slow for the
full one (FINDINGS.md: 145 s for one GROUP BY on 1M triples); the speed-up compares both engines
on the same graph and the same queries. Results are saved to bench/results/query.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from timeline.query import Engine, saved_queries

BASE = "https://example.org/timeline/"
NS = "https://example.org/timeline/ns#"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
DCT = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ROLES = ("agent", "target", "affected", "participant", "spokesperson")
TYPES = ("arrest", "statement", "diplomacy", "protest", "sanctions", "trial")
VERDICTS = ("confirmed", "partially-confirmed", "disputed", "refuted")


def _lit(text: str, dt: str | None = None) -> str:
    body = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{body}^^<{dt}>" if dt else body


def synth(n_events: int, seed: int = 0) -> bytes:
    """N-Triples of a synthetic timeline with `n_events` events."""
    rng = random.Random(seed)
    n_actors = max(20, n_events // 20)
    n_sources = max(5, n_events // 10)
    lines: list[str] = []
    add = lines.append
    add(f"<{BASE}dataset> <{RDF}type> <{NS}Dataset> .")
    for i in range(n_sources):
        s = f"<{BASE}source/s{i}>"
        add(f"{s} <{RDF}type> <{PROV}Entity> .")
        add(f"{s} <{DCT}identifier> {_lit(f's{i}')} .")
        add(f"{s} <{DCT}title> {_lit(f'Report {i}')} .")
        add(f"{s} <{DCT}publisher> {_lit(f'Publisher {i % 50}')} .")
    for i in range(n_actors):
        a = f"<{BASE}actor/a{i}>"
        add(f"{a} <{RDF}type> <{SEM}{'Place' if i % 10 == 0 else 'Actor'}> .")
        add(f"{a} <{DCT}identifier> {_lit(f'a{i}')} .")
        add(f"{a} <{SKOS}prefLabel> {_lit(f'Actor {i}')} .")
        add(f"{a} <{RDFS}label> {_lit(f'Actor {i}')} .")
        add(f"{a} <{NS}actorKind> <{BASE}actor-kind/{'city' if i % 10 == 0 else 'person'}> .")
    # skewed: actor k is drawn with weight 1/(k+1), so a0 is the busiest hub
    weights = [1 / (k + 1) for k in range(n_actors)]
    people = list(range(n_actors))
    start = 738000  # a day number around 2021
    from datetime import date, timedelta

    for i in range(n_events):
        e = f"<{BASE}event/e{i}>"
        day = date.fromordinal(start + rng.randrange(2000))
        precision = rng.random()
        if precision < 0.7:
            first = last = day
        elif precision < 0.9:
            first = day.replace(day=1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        else:
            first, last = day, day + timedelta(days=rng.randrange(1, 30))
        add(f"{e} <{RDF}type> <{SEM}Event> .")
        add(f"{e} <{DCT}identifier> {_lit(f'e{i}')} .")
        add(f"{e} <{DCT}title> {_lit(f'Event {i}')} .")
        add(f"{e} <{RDFS}label> {_lit(f'Event {i}')} .")
        add(f"{e} <{DCT}description> {_lit(f'Something happened, event {i}.')} .")
        add(f"{e} <{SEM}eventType> <{BASE}event-type/{rng.choice(TYPES)}> .")
        add(f"{e} <{SEM}hasEarliestBeginTimeStamp> {_lit(first.isoformat(), XSD + 'date')} .")
        add(f"{e} <{SEM}hasLatestEndTimeStamp> {_lit(last.isoformat(), XSD + 'date')} .")
        add(f"{e} <{NS}dateLabel> {_lit(first.isoformat())} .")
        add(f"{e} <{NS}approximate> {_lit('false', XSD + 'boolean')} .")
        add(f"{e} <{SEM}hasTimeStamp> {_lit(first.isoformat(), XSD + 'date')} .")
        chosen = set(rng.choices(people, weights, k=rng.randint(2, 4)))
        for a in sorted(chosen):
            role = rng.choice(ROLES)
            part = f"<{BASE}event/e{i}/participant/{role}/a{a}>"
            add(f"{e} <{SEM}hasActor> <{BASE}actor/a{a}> .")
            add(f"{e} <{NS}participation> {part} .")
            add(f"{part} <{RDF}type> <{NS}Participation> .")
            add(f"{part} <{RDF}value> <{BASE}actor/a{a}> .")
            add(f"{part} <{SEM}roleType> <{BASE}role/{role}> .")
        if rng.random() < 0.5:
            add(f"{e} <{SEM}hasPlace> <{BASE}actor/a{10 * rng.randrange(n_actors // 10)}> .")
        for s in {rng.randrange(n_sources) for _ in range(rng.randint(1, 2))}:
            add(f"{e} <{PROV}wasDerivedFrom> <{BASE}source/s{s}> .")
        if i % 20 == 0:
            c = f"<{BASE}claim/c{i}>"
            add(f"{c} <{RDF}type> <{NS}Claim> .")
            add(f"{c} <{DCT}identifier> {_lit(f'c{i}')} .")
            add(f"{c} <{NS}statement> {_lit(f'people affected by event {i}')} .")
            add(f"{c} <{PROV}wasAttributedTo> <{BASE}actor/a{rng.randrange(n_actors)}> .")
            add(f"{c} <{NS}about> {e} .")
            add(f"{c} <{RDF}value> {_lit(str(rng.randrange(1000)), XSD + 'integer')} .")
            add(f"{c} <{NS}disagrees> {_lit('true', XSD + 'boolean')} .")
            add(f"{c} <{PROV}wasDerivedFrom> <{BASE}source/s{rng.randrange(n_sources)}> .")
            v = f"<{BASE}claim/c{i}/verification/1>"
            add(f"{c} <{NS}verification> {v} .")
            add(f"{v} <{PROV}wasAttributedTo> <{BASE}actor/a{rng.randrange(n_actors)}> .")
            add(f"{v} <{NS}verdict> <{BASE}verdict/{rng.choice(VERDICTS)}> .")
            add(f"{v} <{NS}disagrees> {_lit('true', XSD + 'boolean')} .")
            add(f"{v} <{RDF}value> {_lit(str(rng.randrange(1000)), XSD + 'integer')} .")
            add(f"{v} <{PROV}wasDerivedFrom> <{BASE}source/s{rng.randrange(n_sources)}> .")
    return ("\n".join(lines) + "\n").encode()


CASES = [  # (saved query, parameters): a hub actor, a typical event, a one-month window
    ("actor-events", {"actor": "a0"}),
    ("event-actors", {"event": "e7"}),
    ("partners", {"actor": "a0"}),
    ("events-between", {"from": "2022-03", "to": "2022-03"}),
    ("claims", {}),
    ("sources", {"fact": "c20"}),
    ("actors", {}),
    ("co-participation", {}),
]


def _median(fn, repeat: int) -> tuple[float, int]:
    times, n = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        n = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), n


def bench_oxigraph(data: bytes, repeat: int) -> dict[str, object]:
    t = time.perf_counter()
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_TRIPLES)
    load = time.perf_counter() - t
    engine = Engine(store, BASE)
    saved = saved_queries()
    out: dict[str, object] = {"load": load, "triples": len(store)}
    for name, params in CASES:
        q = saved[name]
        out[name], out[name + " rows"] = _median(
            lambda q=q, params=params: len(
                engine.run(q.text, params, declared=q.params, timeout=None).rows
            ),
            repeat,
        )
    return out


def bench_rdflib(data: bytes, repeat: int, cap: float) -> dict[str, object]:
    """rdflib's engine on the same queries; each runs in a forked child stopped after `cap` s."""
    import multiprocessing as mp

    import rdflib

    t = time.perf_counter()
    g = rdflib.Graph()
    g.parse(data=data, format="nt")
    load = time.perf_counter() - t
    ox_store = ox.Store()
    ox_store.load(data, format=ox.RdfFormat.N_TRIPLES)
    engine = Engine(ox_store, BASE)  # resolves parameters exactly as for pyoxigraph
    saved = saved_queries()
    out: dict[str, object] = {"load": load, "triples": len(g)}
    ctx = mp.get_context("fork")
    for name, params in CASES:
        q = saved[name]
        bindings = {
            rdflib.Variable(v.value): _to_rdflib(term)
            for v, term in engine.bind(q.text, params, q.params).items()
        }
        queue = ctx.Queue()

        def child(q=q, b=bindings, queue=queue) -> None:
            queue.put(_median(lambda: len(list(g.query(q.text, initBindings=b))), repeat))

        proc = ctx.Process(target=child)
        proc.start()
        proc.join(cap * repeat)
        if proc.is_alive():
            proc.kill()
            proc.join()
            out[name], out[name + " rows"] = None, None  # over the cap
        else:
            out[name], out[name + " rows"] = queue.get()
    return out


def _to_rdflib(term):
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if term.datatype.value == XSD + "string":
        return rdflib.Literal(term.value)  # rdflib tells "x" and "x"^^xsd:string apart
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rdflib-events", type=int, default=1_000)
    parser.add_argument(
        "--cap",
        type=float,
        default=60.0,
        help="Seconds after which an rdflib query is stopped (reported as >).",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "query.json"
    )
    args = parser.parse_args(argv)
    results: dict[str, object] = {}
    small = synth(args.rdflib_events)
    print(f"## {args.rdflib_events} events: rdflib vs pyoxigraph (median of {args.repeat})")
    ox_small = bench_oxigraph(small, args.repeat)
    rdf_small = bench_rdflib(small, args.repeat, args.cap)
    print(f"{ox_small['triples']} triples\n")
    print("| step | rows | rdflib s | pyoxigraph s | speed-up |\n|---|---|---|---|---|")
    for key in ["load", *(name for name, _ in CASES)]:
        o = float(ox_small[key])  # type: ignore[arg-type]
        rows = ox_small.get(key + " rows", "")
        if rdf_small[key] is None:
            print(f"| {key} | {rows} | > {args.cap:g} | {o:.4f} | > {args.cap / o:.0f}x |")
            continue
        r = float(rdf_small[key])  # type: ignore[arg-type]
        assert key == "load" or rows == rdf_small[key + " rows"], key  # same answers
        print(f"| {key} | {rows} | {r:.3f} | {o:.4f} | {r / o:.0f}x |")
    results[f"{args.rdflib_events} events"] = {"rdflib": rdf_small, "pyoxigraph": ox_small}
    del small
    big = synth(args.events)
    print(f"\n## {args.events} events: pyoxigraph (median of {args.repeat})")
    ox_big = bench_oxigraph(big, args.repeat)
    print(f"{ox_big['triples']} triples\n")
    print("| step | rows | pyoxigraph s |\n|---|---|---|")
    for key in ["load", *(name for name, _ in CASES)]:
        print(f"| {key} | {ox_big.get(key + ' rows', '')} | {float(ox_big[key]):.3f} |")  # type: ignore[arg-type]
    results[f"{args.events} events"] = {"pyoxigraph": ox_big}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
