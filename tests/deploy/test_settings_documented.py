"""Every setting the README documents, and every one settings.py reads from the
environment, is in .env.example (as ``NAME=`` or ``# NAME=``)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Read by the test run only, never by a deployment.
TEST_ONLY = {"TEST_DATABASE_NAME", "TEST_DAYS", "CELERY_TEST_BROKER_URL"}


def _example_names() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.M))


def test_every_environment_setting_is_in_env_example():
    settings_text = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'os\.environ(?:\.get)?[\[(]"([A-Z][A-Z0-9_]+)"', settings_text))
    read |= set(re.findall(r'env_bool\("([A-Z][A-Z0-9_]+)"', settings_text))
    assert {"SECRET_KEY", "DATABASE_URL", "EMAIL_USE_TLS"} <= read  # the pattern finds them
    missing = read - TEST_ONLY - _example_names()
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_every_setting_the_readme_documents_is_in_env_example():
    readme = (ROOT / "README.md").read_text()
    settings_text = (ROOT / "config" / "settings.py").read_text()
    documented = {
        name
        for name in re.findall(r"`([A-Z][A-Z0-9_]{3,})(?:=[^`]*)?`", readme)
        if f'"{name}"' in settings_text
    }
    assert {"ALLOWED_HOSTS", "TRUSTED_PROXY_COUNT"} <= documented
    missing = documented - TEST_ONLY - _example_names()
    assert not missing, f".env.example lacks {sorted(missing)}"
