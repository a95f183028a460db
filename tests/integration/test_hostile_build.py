"""A strict build refuses dangerous links at their data line."""

from __future__ import annotations

from pathlib import Path

from conftest import DataCopy


def test_failure_3_the_build_refuses_dangerous_links_at_their_data_line(real_data: DataCopy, tmp_path: Path) -> None:
    """The strict build used to catch only some of these, at a line in site/; make serve served them."""
    from sitebuild import mkdocs_build

    path = real_data.path / "practices.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("    body: |\n") + len("    body: |\n")
    added = "      Write to [the hub](mailto:hub@example.org.uk?bcc=someone@elsewhere.example) or see [this][r].\n\n      [r]: javascript:alert(1)\n\n"
    path.write_text(text[:at] + added + text[at:], encoding="utf-8")
    line = text[:at].count("\n") + 1
    result = mkdocs_build(tmp_path / "site", data_dir=real_data.path)
    assert result.returncode != 0
    assert f"data/practices.yaml:{line}:11: " in result.stderr and "?bcc=" in result.stderr
    assert f"data/practices.yaml:{line + 2}:11: " in result.stderr and "uses 'javascript:'" in result.stderr
    assert "2 data errors found" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "site" / "index.html").exists()
