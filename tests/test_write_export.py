"""An export path whose directory cannot be used is refused in the words `--csv` uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelduel.errors import CsvError, ModelduelError
from modelduel.fileutil import write_export
from modelduel.storage import ensure_writable


@pytest.mark.parametrize("under", ["x.csv", "a/x.csv"])
def test_an_export_under_a_file_says_it_is_a_file_not_a_missing_directory(
    tmp_path: Path, under: str
) -> None:
    somefile = tmp_path / "somefile.txt"
    somefile.write_text("kept\n", encoding="utf-8")
    target = somefile / under
    with pytest.raises(ModelduelError) as exported:
        write_export(target, "data")
    assert str(exported.value) == (
        f"{target}: {somefile} is a file, not a directory; pick another path"
    )
    # the CSV preflight says the same of the same path
    with pytest.raises(CsvError) as preflight:
        ensure_writable(target)
    assert str(preflight.value) == str(exported.value)
    assert somefile.read_text(encoding="utf-8") == "kept\n"


def test_an_export_in_a_missing_directory_says_so(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "x.csv"
    with pytest.raises(ModelduelError) as exported:
        write_export(target, "data")
    assert str(exported.value) == (
        f"{target}: the directory {target.parent} does not exist; create it or pick another path"
    )
    assert not target.parent.exists()
