"""The analyst notebook runs top to bottom in a kernel on this venv's Python."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "analysis.ipynb"


@pytest.mark.slow
def test_notebook_runs_top_to_bottom():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    km = KernelManager(kernel_name="python3")
    # jupyter_client swaps a bare "python" for sys.executable: the kernel is this venv's Python,
    # and nothing is registered anywhere
    assert km.format_kernel_cmd()[0] == sys.executable
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=300,
        allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    outputs = {
        i: cell.get("outputs", []) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
    }
    text = "\n".join(
        o.get("text", "") or o.get("data", {}).get("text/plain", "")
        for outs in outputs.values()
        for o in outs
    )
    assert "events," in text and "actors," in text  # the dataset summary printed
    assert "maduro-capture" in text  # Maduro's events came back into a DataFrame
    assert "checked_value" in text  # the claims table with its verifications
    images = [o for outs in outputs.values() for o in outs if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the events-over-time plot and the ego network
    assert "'nicolas-maduro'" in text
