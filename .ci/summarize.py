"""Reads the test reports of every layer and prints one combined line, `N passed, N failed, N skipped`.

Usage: summarize.py REPORT_DIR layer=exit_code ...
Exits 1 when a layer failed (non-zero exit or failures in its report), when a report is missing,
or when no test ran at all.
"""
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def pytest_counts(path: Path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return total - failed - skipped, failed, skipped


def jest_counts(path: Path):
    data = json.loads(path.read_text())
    failed = data["numFailedTests"] + (data.get("numRuntimeErrorTestSuites") or 0)
    return data["numPassedTests"], failed, data["numPendingTests"] + data.get("numTodoTests", 0)


def playwright_counts(path: Path):
    stats = json.loads(path.read_text())["stats"]
    # a test that failed then passed on retry is "flaky": it passed, but we say so
    return stats["expected"] + stats["flaky"], stats["unexpected"], stats["skipped"]


def lint_counts(path: Path):
    checks = json.loads(path.read_text())["checks"]
    passed = sum(1 for c in checks if c["passed"])
    return passed, len(checks) - passed, 0


READERS = {"pytest": ("pytest.xml", pytest_counts), "jest": ("jest.json", jest_counts),
           "lint": ("lint.json", lint_counts),
           "ui-tests": ("ui-tests.json", playwright_counts),
           "ui-tests-oldest": ("ui-tests-oldest.json", playwright_counts)}


def main(argv):
    reports = Path(argv[1])
    codes = dict(a.split("=", 1) for a in argv[2:])
    totals = [0, 0, 0]
    broken = []
    for layer, (name, read) in READERS.items():
        path = reports / name
        try:
            counts = read(path)
        except (OSError, ValueError, KeyError, ET.ParseError) as err:
            print(f"{layer}: no readable report at {path} ({err})")
            broken.append(layer)
            counts = (0, 1, 0)  # a layer that produced no report counts as one failure
        passed, failed, skipped = counts
        print(f"{layer}: {passed} passed, {failed} failed, {skipped} skipped (exit {codes.get(layer, '?')})")
        if failed or codes.get(layer, "0") != "0":
            broken.append(layer)
        totals = [t + c for t, c in zip(totals, counts)]
    if totals[0] == 0:
        print("no test passed: a run that executes no test is a failure")
        broken.append("none ran")
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
