"""The pure cores load without Django or Celery: they are importable by a script, a notebook
or another project that has neither (docs/adr/0004-pure-cores.md)."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    ["foiregister.calendar", "metrics.core", "contracts.ocds", "foiregister.intake.matching"],
    ids=str,
)
def test_pure_core_imports_neither_django_nor_celery(module):
    probe = (
        f"import sys, {module}; "
        "print(sorted(m for m in ('django', 'celery', 'rest_framework') if m in sys.modules))"
    )

    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()

    assert out == "[]"
