"""Issue 16, failures 5 and 7: editors running `make new` and `make fmt` at once lose nothing, Ctrl-C and Ctrl-D
end `make new` with one line, and both commands keep escapes as the editor wrote them."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT, TODAY, DataCopy
from sitedata.data.errors import DataErrors
from sitedata.data.load import load_site
from sitedata.data.yamlsource import load
from sitedata.tools import fmt

LONDON = ZoneInfo("Europe/London")
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "hooks"))


def service_flags(title: str) -> list[str]:
    return [
        "new", "service", "--yes", "--title", title, "--operator", "Refuge", "--summary", "A line added at the same time as others.",
        "--audience", "survivors", "--coverage", "England", "--channel", "phone", "--number", "0808 2000 247",
        "--source", "london-practice-paper-2020", "--section", "para 19",
    ]  # fmt: skip


def service_ids(path: Path) -> list[str]:
    doc, problems = load(path, display=path.name)
    assert not problems and doc is not None
    return [s["id"] for s in doc.data["services"]]


# ---------------------------------------------------------------- 5. three `make new` at once


def test_failure_5_three_make_new_at_once_keep_all_three_entries(real_data: DataCopy) -> None:
    titles = ["Concurrent line one", "Concurrent line two", "Concurrent line three"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sitedata", *service_flags(title), "--data", str(real_data.path)],
            cwd=ROOT, env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for title in titles
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert all(out.startswith("Added service 'concurrent-line-") for out, _err in outputs)
    ids = service_ids(real_data.path / "helplines.yaml")
    assert {"concurrent-line-one", "concurrent-line-two", "concurrent-line-three"} <= set(ids)
    load_site(data_dir=real_data.path, today=datetime.now(LONDON).date())  # and the data is still valid


def test_a_file_saved_meanwhile_is_not_overwritten(data: DataCopy) -> None:
    path = data.path / "tags.yaml"
    before = path.read_text(encoding="utf-8")
    path.write_text(before + "# an editor's change saved meanwhile\n", encoding="utf-8")
    with pytest.raises(fmt.DataBusy) as info:
        fmt.replace_if_unchanged(path, expected=before, text="tags: []\n", display="data/tags.yaml")
    assert str(info.value.errors[0]) == (
        "data/tags.yaml:1:1: the file changed while this command was working on it (someone saved it meanwhile); "
        "nothing was written to it: run the command again"
    )
    assert path.read_text(encoding="utf-8").endswith("# an editor's change saved meanwhile\n")


def test_a_second_writer_waits_then_refuses_clearly(data: DataCopy) -> None:
    messages: list[str] = []

    class Out:
        def write(self, text: str) -> None:
            messages.append(text)

        def flush(self) -> None:
            pass

    with fmt.data_lock(data.path), pytest.raises(fmt.DataBusy) as info, fmt.data_lock(data.path, wait=0.2, out=Out()):  # type: ignore[arg-type]
        pass  # pragma: no cover - never reached
    assert "waiting for another 'make new' or 'make fmt' to finish writing data/ ..." in "".join(messages)
    assert str(info.value.errors[0]).startswith("data/:1:1: another 'make new' or 'make fmt' has held the data folder for 0 s; nothing was written")


def test_fmt_waits_for_the_lock_and_loses_nothing(data: DataCopy) -> None:
    """`make fmt` run while `make new` holds the folder waits, then formats the file as it is after the add."""
    path = data.path / "tags.yaml"
    with fmt.data_lock(data.path):
        proc = subprocess.Popen(
            [sys.executable, "-m", "sitedata", "fmt", "--data", str(data.path)], cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert proc.stderr is not None
        waiting = proc.stderr.readline()  # the first thing it says, once it finds the folder held
        assert waiting == f"waiting for another 'make new' or 'make fmt' to finish writing {data.path.name}/ ...\n"
        assert proc.poll() is None
        path.write_text(path.read_text(encoding="utf-8") + "  - id: added-meanwhile\n    description: Added while fmt waited.\n    name: Added\n", encoding="utf-8")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert "  - id: added-meanwhile\n    name: Added\n    description: Added while fmt waited.\n" in path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- Ctrl-C and Ctrl-D


PROMPT = b"What would you like to add: "


def _terminal_session(keys: bytes, *, data_dir: Path) -> tuple[int, str]:
    """Run `python -m sitedata new` on a pseudo-terminal it controls; type `keys` at the first prompt."""
    main, child = pty.openpty()

    def controlling_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # after setsid (start_new_session): Ctrl-C on the terminal reaches the child
        # As in an editor's shell: pytest-xdist's workers ignore SIGINT, and an ignored signal stays ignored across exec.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    proc = subprocess.Popen(
        [sys.executable, "-m", "sitedata", "new", "--data", str(data_dir)],
        cwd=ROOT, env=ENV, stdin=child, stdout=child, stderr=child, close_fds=True, start_new_session=True, preexec_fn=controlling_terminal,
    )  # fmt: skip
    os.close(child)
    output = b""
    sent = 0
    last_output = time.monotonic()
    deadline = last_output + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
                last_output = time.monotonic()
                if not sent and output.endswith(PROMPT):
                    os.write(main, keys)
                    sent = 1
            elif proc.poll() is not None:
                break
            elif 0 < sent < 3 and time.monotonic() - last_output > 5:
                # A key typed in the instant the line editor sets up the terminal can be flushed away;
                # like a person who sees nothing happen, press it again.
                os.write(main, keys)
                sent += 1
                last_output = time.monotonic()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        os.close(main)
    assert sent, output
    return proc.returncode, output.decode("utf-8", "replace").replace("\r\n", "\n")


def after_prompt(transcript: str) -> list[str]:
    # The terminal echoes each Ctrl-C or Ctrl-D typed as ^C or ^D; what the command printed is the rest.
    return [line for line in transcript.rsplit(PROMPT.decode(), 1)[1].split("\n") if line.strip() and not re.fullmatch(r"(\^[CD])+", line.strip())]


def test_ctrl_d_ends_make_new_with_one_line(real_data: DataCopy) -> None:
    before = (real_data.path / "helplines.yaml").read_bytes()
    status, transcript = _terminal_session(b"\x04", data_dir=real_data.path)
    assert "Traceback" not in transcript
    assert after_prompt(transcript) == ["Stopped (end of input, Ctrl-D); nothing was written."]
    assert status == 2
    assert (real_data.path / "helplines.yaml").read_bytes() == before


def test_ctrl_c_ends_make_new_with_one_line(real_data: DataCopy) -> None:
    before = (real_data.path / "helplines.yaml").read_bytes()
    status, transcript = _terminal_session(b"\x03", data_dir=real_data.path)
    assert "Traceback" not in transcript and "KeyboardInterrupt" not in transcript
    assert after_prompt(transcript) == ["Stopped (Ctrl-C); nothing was written."]
    assert status == 130
    assert (real_data.path / "helplines.yaml").read_bytes() == before


# ---------------------------------------------------------------- 7. escapes kept as written

ESCAPED = r'"Caf\u00e9 \x41 \/ \t \_ end"'


def test_failure_7_fmt_keeps_escapes_as_written(data: DataCopy) -> None:
    path = data.path / "tags.yaml"
    # Out of schema order (description before name), so fmt rewrites the entry.
    text = path.read_text(encoding="utf-8").replace(
        "    name: Helplines\n    description: Services to call.\n", f"    description: {ESCAPED}\n    name: Helplines\n"
    )
    path.write_text(text, encoding="utf-8")
    results = fmt.format_data(data_dir=data.path, write=True)
    assert "data/tags.yaml" in [r.display for r in results if r.changed]
    after = path.read_text(encoding="utf-8")
    assert f"    name: Helplines\n    description: {ESCAPED}\n" in after
    load_site(data_dir=data.path, today=TODAY)


def test_failure_7_make_new_keeps_the_rest_of_the_file_byte_for_byte(real_data: DataCopy) -> None:
    path = real_data.path / "helplines.yaml"
    text = path.read_text(encoding="utf-8")
    first_summary = next(line for line in text.split("\n") if line.startswith("    summary: "))
    escaped = '    summary: "Caf\\u00e9 \\x41 and a \\/ slash."'
    path.write_text(text.replace(first_summary, escaped, 1), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "sitedata", *service_flags("Escape keeping line"), "--data", str(real_data.path)],
        cwd=ROOT, env=ENV, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n")), "make new changed the file above its new entry"
    assert escaped in after


def test_keep_escapes_leaves_values_it_cannot_match_alone() -> None:
    before = 'a: "x\\u00e9"\nb: "plain"\n'
    assert fmt.keep_escapes(before, 'b: "plain"\na: "xé"\n') == 'b: "plain"\na: "x\\u00e9"\n'
    assert fmt.keep_escapes(before, 'a: "other"\n') == 'a: "other"\n'
    with pytest.raises(DataErrors):
        fmt.format_text('tags:\n  - id: "\\u202e"\n', name="tags", display="data/tags.yaml")
