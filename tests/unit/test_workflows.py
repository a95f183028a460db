"""The GitHub files: workflows and issue forms validate offline, and they mirror the Makefile and the checks."""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from sitedata.data import checks
from sitedata.postbuild import links as link_checker

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
FORMS = sorted(p for p in (GITHUB / "ISSUE_TEMPLATE").glob("*.yml") if p.name != "config.yml")
CHOOSER = GITHUB / "ISSUE_TEMPLATE" / "config.yml"
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
# Anything that tries to download a schema fails at once: the vendored schemas must be enough.
OFFLINE = {
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "",
    "no_proxy": "",
}


def validate(schema: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with one of its built-in (vendored) schemas, with no way to reach the network."""
    assert files, schema
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, *map(str, files)],
        env=dict(os.environ, **OFFLINE),
        capture_output=True,
        text=True,
        timeout=120,
    )


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_expected_files_exist() -> None:
    assert [p.name for p in WORKFLOWS] == ["deploy.yml", "links.yml", "pr.yml"]
    assert [p.name for p in FORMS] == ["report-service.yml", "suggest-practice.yml"]
    assert (GITHUB / "PULL_REQUEST_TEMPLATE.md").is_file() and CHOOSER.is_file()


@pytest.mark.parametrize("schema", ["vendor.github-workflows", "custom.github-workflows-require-timeout"])
def test_workflows_validate(schema: str) -> None:
    result = validate(schema, WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_issue_forms_and_chooser_validate() -> None:
    forms = validate("vendor.github-issue-forms", FORMS)
    assert forms.returncode == 0, forms.stdout + forms.stderr
    chooser = validate("vendor.github-issue-config", [CHOOSER])
    assert chooser.returncode == 0, chooser.stdout + chooser.stderr


def test_broken_copies_fail(tmp_path: Path) -> None:
    workflow = tmp_path / "pr.yml"
    workflow.write_text((GITHUB / "workflows" / "pr.yml").read_text().replace("    steps:\n", "    stepz:\n", 1))
    result = validate("vendor.github-workflows", [workflow])
    assert result.returncode == 1
    assert "'stepz' was unexpected" in result.stdout

    no_timeout = tmp_path / "deploy.yml"
    no_timeout.write_text(re.sub(r"\n +timeout-minutes: \d+", "", (GITHUB / "workflows" / "deploy.yml").read_text(), count=1))
    assert validate("custom.github-workflows-require-timeout", [no_timeout]).returncode == 1

    form = tmp_path / "form.yml"
    form.write_text(
        FORMS[0].read_text().replace("    type: input\n", "    type: inputt\n").replace("  - type: input\n", "  - type: inputt\n", 1)
    )
    assert validate("vendor.github-issue-forms", [form]).returncode == 1


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), flags=re.MULTILINE))


def run_lines(workflow: dict) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job.get("steps", []) if "run" in step]


def uses(workflow: dict) -> list[str]:
    return [step["uses"] for job in workflow["jobs"].values() for step in job.get("steps", []) if "uses" in step]


def test_workflows_run_makefile_targets_that_exist() -> None:
    targets = makefile_targets()
    for path in WORKFLOWS:
        for command in re.findall(r"\bmake ([a-z-]+)", "\n".join(run_lines(read(path)))):
            assert command in targets, f"{path.name} runs 'make {command}', which the Makefile does not define"


def test_pull_requests_run_check_build_test_and_upload_the_offline_copy() -> None:
    pr = read(GITHUB / "workflows" / "pr.yml")
    commands = "\n".join(run_lines(pr))
    for target in ("make check ARGS=--github", "make build", "make test", "make offline"):
        assert target in commands
    upload = next(s for job in pr["jobs"].values() for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "dist/offline.zip"
    assert upload["with"]["name"] == "offline-site"  # CONTRIBUTING.md and the PR template tell reviewers this name
    assert "offline-site" in (ROOT / "CONTRIBUTING.md").read_text() and "offline-site" in (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text()


def test_deploy_publishes_to_pages_from_main() -> None:
    deploy = read(GITHUB / "workflows" / "deploy.yml")
    trigger = deploy.get("on", deploy.get(True))
    assert trigger["push"]["branches"] == ["main"]
    assert {"actions/configure-pages@v5", "actions/upload-pages-artifact@v3", "actions/deploy-pages@v4"} <= set(uses(deploy))
    assert deploy["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["concurrency"]["cancel-in-progress"] is False


def test_the_weekly_link_check_opens_or_updates_one_issue() -> None:
    links = read(GITHUB / "workflows" / "links.yml")
    trigger = links.get("on", links.get(True))
    assert "schedule" in trigger and "workflow_dispatch" in trigger
    script = "\n".join(run_lines(links))
    assert 'make links ARGS="--markdown $REPORT"' in script
    assert "gh issue list --label" in script and "gh issue create" in script and "gh issue edit" in script
    assert links["env"]["LABEL"] == "broken-links"
    assert links["jobs"]["links"]["permissions"] == {"contents": "read", "issues": "write"}
    # The issue is opened when the report has a "## Broken links" section, as sitedata.postbuild.links writes it.
    assert "grep -q '^## Broken links'" in script
    broken = link_checker.LinkResult(
        url="https://example.org.uk/gone",
        verdict=link_checker.BROKEN,
        status=404,
        detail="404 Not Found",
        origins=["practices/x/index.html:10:5"],
    )
    moved = link_checker.LinkResult(
        url="https://example.org.uk/old",
        verdict=link_checker.REDIRECT,
        status=301,
        detail="moved",
        final_url="https://example.org.uk/new",
        origins=["index.html:3:1"],
    )
    now = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
    assert re.search(r"^## Broken links", link_checker.markdown_report(results=[broken, moved], now=now), flags=re.MULTILINE)
    assert not re.search(r"^## Broken links", link_checker.markdown_report(results=[moved], now=now), flags=re.MULTILINE)


def test_every_workflow_has_least_privilege_and_concurrency() -> None:
    for path in WORKFLOWS:
        workflow = read(path)
        assert workflow["permissions"] == {"contents": "read"}, path.name
        assert "group" in workflow["concurrency"], path.name
        for name, job in workflow["jobs"].items():
            assert set(job.get("permissions", {}).values()) <= {"read", "write"}, f"{path.name} {name}"


def test_actions_are_pinned_to_the_documented_major_versions() -> None:
    allowed = {
        "actions/checkout@v4",
        "actions/setup-python@v5",
        "actions/setup-node@v4",
        "actions/upload-artifact@v4",
        "actions/cache@v4",
        "actions/configure-pages@v5",
        "actions/upload-pages-artifact@v3",
        "actions/deploy-pages@v4",
    }
    developing = (ROOT / "DEVELOPING.md").read_text()
    for path in WORKFLOWS:
        for action in uses(read(path)):
            assert action in allowed, f"{path.name} uses {action}"
            assert action in developing, f"DEVELOPING.md should list {action}"


def test_no_workflow_puts_untrusted_text_into_a_script() -> None:
    for path in WORKFLOWS:
        for script in run_lines(read(path)):
            assert "${{" not in script, f"{path.name}: pass values to scripts through env, not ${{{{ }}}}"


# ---------------------------------------------------------------- pre-commit


def test_pre_commit_config_is_valid_and_local_only() -> None:
    config_path = ROOT / ".pre-commit-config.yaml"
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    assert pre_commit, "pre-commit is not installed in the virtual environment (.venv/bin/pip install pre-commit)"
    result = subprocess.run(
        [pre_commit, "validate-config", str(config_path)], env=dict(os.environ, **OFFLINE), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    config = read(config_path)
    assert [r["repo"] for r in config["repos"]] == ["local"]
    hooks = {h["id"]: h for h in config["repos"][0]["hooks"]}
    assert hooks["data-fmt"]["entry"] == "make fmt" and hooks["data-check"]["entry"] == "make check"
    assert all(h["language"] == "system" for h in hooks.values())
    assert {"make fmt", "make check"} <= {h["entry"] for h in hooks.values()}
    for hook in hooks.values():
        command = hook["entry"].split()
        if command[0] == "make":
            assert command[1] in makefile_targets()
        else:
            assert (ROOT / command[0]).name == "check-jsonschema"


# ---------------------------------------------------------------- templates mirror the checks

# Each named check and the words in the pull-request template's checklist that cover it.
CHECKLIST = {
    "check_schema_comment": "still starts with its `# yaml-language-server: $schema=...` line",
    "check_unique_keys": "no other entry in the file has the same id",
    "check_references": "Areas, tags (themes), statuses, audiences, sources and related practices are ones listed",
    "check_dates": "Dates are real dates",
    "check_phone_numbers": "Phone numbers are valid UK numbers",
    "check_emails": "Email addresses are complete",
    "check_urls": "Web addresses are complete and start with `https://`",
    "check_markdown": "Markdown fields (such as `body`) use Markdown, not HTML",
    "check_opening_hours": "Opening hours use OpenStreetMap syntax",
    "check_summaries": "Summaries are plain text of one to three sentences",
    # Schema validation and the YAML reader.
    "required": "Every required field is there, and no field is misspelt or unknown",
    "types": "Each value has the right type and length",
    "id pattern": "Ids use lower-case letters, digits and single hyphens",
    "yaml": "The YAML is well formed: spaces not tabs",
    "future dates": "and not in the future",
    "review_due": "warnings about entries due for review",
}


def test_the_pull_request_checklist_mirrors_every_check() -> None:
    template = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text()
    named = {name for name, _ in inspect.getmembers(checks, inspect.isfunction) if name.startswith("check_")}
    assert named == {k for k in CHECKLIST if k.startswith("check_")}, "a check was added or removed: update the PR template and CHECKLIST"
    for check, words in CHECKLIST.items():
        assert words in template, f"the PR template has no line for {check}"
    assert template.count("- [ ]") >= len(named)


def test_issue_forms_link_to_the_contributor_docs() -> None:
    anchors = github_anchors((ROOT / "CONTRIBUTING.md").read_text())
    for form_path in FORMS:
        form = read(form_path)
        text = yaml.safe_dump(form)
        assert "(../blob/main/CONTRIBUTING.md" in text, form_path.name
        fields = [item for item in form["body"] if item["type"] != "markdown"]
        linked = [item for item in fields if "CONTRIBUTING.md" in item["attributes"].get("description", "")]
        assert len(linked) >= 2, f"{form_path.name}: link the fields to CONTRIBUTING.md"
        for anchor in re.findall(r"CONTRIBUTING\.md#([a-z0-9_-]+)", text):
            assert anchor in anchors, f"{form_path.name} links to #{anchor}, which is not a heading in CONTRIBUTING.md"


def test_the_status_choices_are_the_statuses_in_the_data() -> None:
    from sitedata.data.yamlsource import load

    doc, _ = load(ROOT / "data" / "vocabularies.yaml", display="data/vocabularies.yaml")
    statuses = [s["id"] for s in doc.data["statuses"]]
    form = read(GITHUB / "ISSUE_TEMPLATE" / "suggest-practice.yml")
    dropdown = next(item for item in form["body"] if item.get("id") == "status")
    offered = [option.split(" (")[0] for option in dropdown["attributes"]["options"] if option != "not sure"]
    assert offered == statuses, "update the status dropdown in .github/ISSUE_TEMPLATE/suggest-practice.yml"


def github_anchors(markdown: str) -> set[str]:
    """The ids GitHub gives the headings of a Markdown file."""
    out = set()
    for heading in re.findall(r"^#{1,6} (.+)$", markdown, flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        out.add(slug)
    return out
