"""timeline: curated news events -> validated model -> knowledge graph, timeline and views."""

__version__ = "0.1.0"
