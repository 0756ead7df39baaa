"""Audit the pinned dependencies (requirements.lock) for known vulnerabilities with pip-audit.

Exit 1 (a red run) when a vulnerability is found. When the vulnerability data cannot be
reached (no network, the service down), say so and exit 0: an audit that could not run is
reported, not failed. pip-audit itself exits 0 when it skips every package it could not
look up, so the JSON report is read to tell the cases apart.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "audit.json"
        run = subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "pip-audit"),
                "--requirement", str(ROOT / "requirements.lock"),
                "--no-deps", "--disable-pip", "--progress-spinner", "off",
                "--format", "json", "--output", str(report_path),
            ],
            capture_output=True,
            text=True,
        )  # fmt: skip
        if not report_path.exists():
            last = (run.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"pip-audit: vulnerability data could not be reached; NOT AUDITED ({last})")
            return 0
        report = json.loads(report_path.read_text())
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
            print(f"pip-audit: {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} pinned package(s) have known vulnerabilities")
        return 1
    if skipped:
        print(
            f"pip-audit: vulnerability data could not be reached for {len(skipped)} of "
            f"{len(dependencies)} pinned packages; NOT AUDITED "
            f"(e.g. {skipped[0]['skip_reason']})"
        )
        return 0
    print(f"pip-audit: no known vulnerabilities in {len(dependencies)} pinned packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
