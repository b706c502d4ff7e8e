"""`make audit`'s dependency half: pip-audit on the pinned requirements.

Fails on a known vulnerability that is not explained in `EXPLAINED` (and the
README's "Reliability" section). When pip-audit cannot reach its vulnerability
service, or cannot look a single dependency up there (a machine behind a
package mirror), it says so plainly and does not fail CI: nothing was
audited, which is not the same as nothing found.
"""

import json
import subprocess
import sys

# vulnerability id -> why it does not apply (keep the README in step).
EXPLAINED: dict[str, str] = {}


def main() -> int:
    command = [sys.executable, "-m", "pip_audit", "-r", "requirements.txt", "-f", "json"]
    run = subprocess.run([*command, "--progress-spinner", "off"], capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print("pip-audit: could not reach its vulnerability service; dependencies NOT audited.")
        print((run.stderr.strip().splitlines() or ["(no output)"])[-1])
        return 0
    dependencies = report.get("dependencies", [])
    audited = [dep for dep in dependencies if "skip_reason" not in dep]
    found = [(dep["name"], dep["version"], vuln["id"]) for dep in audited for vuln in dep.get("vulns", [])]
    unexplained = [item for item in found if item[2] not in EXPLAINED]
    if not audited:
        print(f"pip-audit: none of {len(dependencies)} dependencies could be looked up in the vulnerability")
        print("service from this machine (package mirror without PyPI's JSON API): NOT audited.")
        return 0
    for name, version, vuln_id in found:
        print(f"{name} {version}: {vuln_id} -- {EXPLAINED.get(vuln_id, 'NOT EXPLAINED')}")
    skipped = len(dependencies) - len(audited)
    print(f"pip-audit: {len(audited)} audited, {skipped} skipped, {len(found)} known vulnerabilities.")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
