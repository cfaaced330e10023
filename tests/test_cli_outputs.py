"""What the CLI writes: all or nothing (a temporary file beside the target, renamed on
success), and CSV cells a spreadsheet would run made inert."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli
from dashboard.geo.errors import InputError
from dashboard.io.atomic import atomic_output

OLD = "lat,lon\nkeep,me\n"


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


@pytest.mark.parametrize("ext", [".csv", ".geojson", ".parquet"])
def test_a_bad_points_file_leaves_the_existing_output_untouched(tmp_path: Path, ext: str) -> None:
    """``distance --points BAD -o existing`` emptied the existing file before failing."""
    bad = tmp_path / "bad.csv"
    bad.write_text("lat,lon\n" + "50.1,23.9\n" * 3 + "x,1\n")
    out = tmp_path / f"existing{ext}"
    out.write_text(OLD)
    code, _, err = run_cli("distance", "--points", str(bad), "-o", str(out))
    assert code == 2 and "data row 4" in err
    assert out.read_text() == OLD
    assert _leftovers(tmp_path, {"bad.csv", out.name}) == []


def test_a_failure_half_way_leaves_nothing_partial(tmp_path: Path) -> None:
    """Rows are written chunk by chunk; a chunk that fails after others were written (a
    column that changes type between chunks of a Parquet output) leaves no partial file."""
    src = tmp_path / "mixed.csv"
    src.write_text("lat,lon,tag\n50.1,23.9,1\n50.2,23.8,2\n50.3,23.7,x\n")
    out = tmp_path / "o.parquet"
    code, _, err = run_cli("distance", "--points", str(src), "--chunk-rows", "2", "-o", str(out))
    assert code == 2 and "changes type" in err
    assert not out.exists() and _leftovers(tmp_path, {"mixed.csv"}) == []


def test_outputs_are_complete_and_keep_no_temporary_files(tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    src.write_text("lat,lon\n50.1,23.9\n50.2,23.8\n")
    out = tmp_path / "o.geojson"
    out.write_text("old")
    assert run_cli("distance", "--points", str(src), "-o", str(out))[0] == 0
    assert len(json.loads(out.read_text())["features"]) == 2
    assert run_cli("buffer", "--point", "50.1,23.9", "--km", "5", "-o", str(tmp_path / "b.geojson"))[0] == 0
    assert json.loads((tmp_path / "b.geojson").read_text())["type"] == "FeatureCollection"
    assert _leftovers(tmp_path, {"p.csv", "o.geojson", "b.geojson"}) == []


@pytest.mark.parametrize("target", ["/dev/null", "folder"])
def test_an_output_that_is_not_a_regular_file_is_refused(tmp_path: Path, target: str) -> None:
    """Renaming over /dev/null would replace the device node: refused instead."""
    path = Path(target) if target.startswith("/") else tmp_path / target
    if target == "folder":
        path.mkdir()
    with pytest.raises(InputError, match="cannot write .*: it is"), atomic_output(path, "w") as fh:
        fh.write("x")
    assert Path("/dev/null").is_char_device()


def test_an_exception_inside_leaves_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "o.txt"
    out.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(out, "w") as fh:
        fh.write("new, half")
        raise RuntimeError("stop")
    assert out.read_text() == "old" and _leftovers(tmp_path, {"o.txt"}) == []


@pytest.fixture()
def small_disk(tmp_path: Path):
    """A 256 KB tmpfs (root only; CI runs as root): a real full disk, no mocks."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    mnt = tmp_path / "small"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_a_full_disk_gives_one_line_and_leaves_the_old_file(tmp_path: Path, small_disk: Path):
    src = tmp_path / "many.csv"
    rows = "".join(f"{50 + (i % 900) / 1000:.4f},{23 + (i % 700) / 1000:.4f},name-{i}\n"
                   for i in range(20_000))
    src.write_text("lat,lon,name\n" + rows)  # about 1 MB of output: 4x the disk
    out = small_disk / "out.csv"
    out.write_text(OLD)
    code, stdout, err = run_cli("distance", "--points", str(src), "--to", "countries",
                                "-o", str(out))
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot write") and \
        "No space left on device" in lines[0], err
    assert "Traceback" not in err
    assert out.read_text() == OLD and sorted(p.name for p in small_disk.iterdir()) == ["out.csv"]


# ------------------------------------------------------------------ formula cells
FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_points_csv_output_prefixes_formula_cells_but_not_numbers(tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    with src.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["lat", "lon", "name", "=cmd"])
        for i, text in enumerate(FORMULAS + ["-5", "+3.5", "1e-3", "Lviv"]):
            w.writerow([50 + i / 100, 23.9, text, "v"])
    code, out, err = run_cli("distance", "--points", str(src), "--to", "countries", "-o", "-")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[0][:4] == ["lat", "lon", "name", "'=cmd"]
    names = [r[2] for r in rows[1:]]
    assert names == ["'" + t for t in FORMULAS] + ["-5", "+3.5", "1e-3", "Lviv"]
    assert all(float(r[0]) > 50 - 1e-9 for r in rows[1:])  # numbers stay numbers


def test_incidents_csv_prefixes_formula_cells() -> None:
    """The incident table's text cells (ids, places) are data: one that starts like a
    formula is written with a leading apostrophe; numbers stay numbers."""
    from dashboard.analysis.incident_table import incident_table
    from dashboard.cli.incidents import to_csv

    df = incident_table(None, None).copy()
    df.loc[df.index[0], "id"] = '=HYPERLINK("http://x","y")'
    rows = list(csv.reader(io.StringIO(to_csv(df), newline="")))
    head = rows[0]
    assert rows[1][head.index("id")] == '\'=HYPERLINK("http://x","y")'
    for row in rows[1:]:
        for cell in row:
            assert cell[:1] not in ("=", "+", "@", "\t", "\r"), row
            if cell.startswith("-"):
                float(cell)  # only a plain negative number may start with '-'
