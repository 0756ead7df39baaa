"""CI's dependency audit: red on a known vulnerability, reported (not red) when pip-audit's
vulnerability data cannot be reached."""

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit_dependencies.py"


@pytest.fixture
def audit(monkeypatch):
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def with_report(report):
        def fake_run(args, **kwargs):
            if report is not None:
                Path(args[args.index("--output") + 1]).write_text(json.dumps(report))

            class Done:
                returncode = 1 if report is None else 0
                stderr = "ConnectionError: Max retries exceeded"

            return Done()

        monkeypatch.setattr(module.subprocess, "run", fake_run)
        return module.main()

    return with_report


def test_a_known_vulnerability_fails_the_run(audit, capsys):
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.1"]}]},
            {"name": "numpy", "version": "2.1.0", "vulns": []},
        ]
    }  # fmt: skip
    assert audit(report) == 1
    assert "django 5.2.0: PYSEC-1 (fixed in 5.2.1)" in capsys.readouterr().out


def test_unreachable_vulnerability_data_is_reported_not_failed(audit, capsys):
    report = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found"}]}
    assert audit(report) == 0
    assert "NOT AUDITED" in capsys.readouterr().out


def test_a_network_failure_without_a_report_is_reported_not_failed(audit, capsys):
    assert audit(None) == 0
    assert "NOT AUDITED" in capsys.readouterr().out


def test_a_clean_audit_passes(audit, capsys):
    assert audit({"dependencies": [{"name": "numpy", "version": "2.1.0", "vulns": []}]}) == 0
    assert "no known vulnerabilities in 1" in capsys.readouterr().out
