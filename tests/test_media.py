"""Media on events and actors: validated where they are written, in the RDF and read back, kept
in the build folder, embedded by the offline view (local images) or linked (the web)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from typer.testing import CliRunner

from browser import Tab, page  # noqa: F401  (`page` is a fixture)
from timeline.cli import app
from timeline.load import read_dataset
from timeline.models import Media
from timeline.rdfread import read_rdf
from timeline.store import open_built

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "tests" / "data" / "media-story"
SCHEMA = Namespace("https://schema.org/")
TL = Namespace("https://example.org/timeline/ns#")
BASE = "https://example.org/timeline/"


@pytest.fixture
def story(tmp_path: Path) -> Path:
    """A copy of the media story, free to edit."""
    folder = tmp_path / "story"
    shutil.copytree(STORY, folder)
    return folder / "events.yaml"


def validate(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", str(path)])
    return result.exit_code, result.stderr


BROKEN = """\
sources: [{id: s, title: S}]
events:
  - id: theft
    title: T
    date: 2025-10-19
    type: theft
    summary: S
    sources: [s]
    media:
      - {file: media/missing.png, alt: Gone}
  - id: arrest
    title: A
    date: 2025-10-20
    type: arrest
    summary: S
    sources: [s]
    media:
      - {url: "https://example.org/photos/arrest.jpg"}
      - {file: ../outside.png, alt: x}
      - {file: media/clip.mp4}
      - {url: "https://example.org/a.png", file: media/museum-tape.png, alt: y}
"""


def test_each_broken_media_item_says_where_and_how_to_fix_it(story: Path):
    broken = story.parent / "broken.yaml"
    broken.write_text(BROKEN)
    code, err = validate(broken)
    assert code == 1
    name = str(broken)
    assert err.splitlines() == [
        f"{name}:10:16: event 'theft': media file 'media/missing.png' is not there (looked for "
        f"{story.parent / 'media/missing.png'}); write its path relative to the YAML file",
        f"{name}:18:9: event 'arrest': an image needs alt text that says what it shows, e.g. "
        "alt: 'Police tape at the museum entrance'",
        f"{name}:19:16: event 'arrest': '../outside.png' is not a path inside the dataset's "
        "folder; write it relative to the YAML file, without '..', e.g. file: "
        "media/museum.jpg",
        f"{name}:20:9: event 'arrest': a local media file must be an image (.avif, .gif, "
        ".jpeg, .jpg, .png, .svg, .webp); give other media by url",
        f"{name}:21:9: event 'arrest': give the media either a url or a file (one, not both)",
        "5 problems found; nothing was written",
    ]


def test_a_link_out_of_the_folder_and_a_large_file_are_refused(story: Path, tmp_path: Path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG not yours")
    (story.parent / "media" / "museum-tape.png").unlink()
    (story.parent / "media" / "museum-tape.png").symlink_to(secret)
    code, err = validate(story)
    assert code == 1
    assert "media file 'media/museum-tape.png' leads outside the YAML file's folder" in err
    (story.parent / "media" / "museum-tape.png").unlink()
    (story.parent / "media" / "museum-tape.png").write_bytes(b"\0" * 5_000_001)
    code, err = validate(story)
    assert "media file 'media/museum-tape.png' is 5.0 MB; the view embeds files up to 5 MB" in err


def test_media_in_rdf_conform_to_the_shapes_and_read_back(story: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(story), "-o", str(out), "--ner", "none"])
    assert result.exit_code == 0, result.output
    g = Graph().parse(out / "graph.ttl")
    theft = URIRef(f"{BASE}event/theft")
    first, second = URIRef(f"{BASE}event/theft/media/1"), URIRef(f"{BASE}event/theft/media/2")
    assert set(g.objects(theft, SCHEMA.associatedMedia)) == {first, second}
    assert set(g.predicate_objects(first)) == {
        (URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SCHEMA.ImageObject),
        (URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SCHEMA.MediaObject),
        (SCHEMA.position, Literal(1)),
        (TL.mediaFile, Literal("media/museum-tape.png")),
        (TL.altText, Literal("Red tape across the museum's entrance")),
        (SCHEMA.caption, Literal("The entrance on the morning after")),
        (SCHEMA.creditText, Literal("Newsroom photo")),
    }
    assert (second, SCHEMA.contentUrl, None) in g
    conforms, _, report = pyshacl.validate(
        g, shacl_graph=Graph().parse(ROOT / "ontologies" / "shapes.ttl")
    )
    assert conforms, report
    store = pyoxigraph.Store()
    store.bulk_load(path=str(out / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    back = read_rdf(store, BASE).dataset
    ds = read_dataset(story)
    assert [e.media for e in back.events_by_date()] == [e.media for e in ds.events_by_date()]
    assert back.actor("city-museum").media == ds.actor("city-museum").media


def test_the_build_keeps_its_images_and_sees_them_change(story: Path, tmp_path: Path):
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["build", str(story), "-o", str(out), "--ner", "none"]
    assert runner.invoke(app, args).exit_code == 0
    first = open_built(out).id
    assert "kept" in runner.invoke(app, args).output  # nothing changed
    image = story.parent / "media" / "museum-tape.png"
    data = image.read_bytes()
    image.write_bytes(data + b"\0")  # another image, the same YAML: another build
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "kept" not in result.output, result.output
    assert open_built(out).id != first
    # the build folder holds copies: exports from it need no original
    image.unlink()
    html = tmp_path / "t.html"
    result = runner.invoke(app, ["export", str(out), "-f", "timelinejs-html", "-o", str(html)])
    assert result.exit_code == 0, result.output
    assert "data:image/png;base64," in html.read_text()


def test_an_image_url_with_a_query_is_still_an_image():
    assert Media(url="https://example.org/a.JPG?w=300", alt="x").is_image
    assert not Media(url="https://example.org/watch?v=1").is_image


@pytest.mark.browser
def test_the_view_embeds_local_images_and_links_the_web(page: Tab, story: Path, tmp_path: Path):  # noqa: F811
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["build", str(story), "-o", str(out)]).exit_code == 0
    page.open(out / "view.html")
    page.wait_for("window.timelineView && window.timelineView.ready")
    index = page.js("timelineView.data.events.findIndex(e => e.id === 'event:theft')")
    page.js("i => timelineView.selectEvent(i)", index)
    img = "#details figure.media img"
    assert page.js(f"document.querySelector('{img}').alt") == (
        "Red tape across the museum's entrance"
    )
    assert page.js(f"document.querySelector('{img}').src").startswith("data:image/png;base64,")
    assert page.js(f"document.querySelector('{img}').naturalWidth") == 64
    link = page.js("document.querySelector('#details figure.media a').href")
    assert link == "https://example.org/video/museum-walkthrough"
    assert page.js("document.querySelectorAll('#details figcaption')[0].textContent") == (
        "The entrance on the morning after · Credit: Newsroom photo"
    )
    page.screenshot("view-media")
    page.assert_clean()
