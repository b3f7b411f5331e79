"""Runs the linters as one test layer: ruff on the Python, ESLint on the TypeScript.

Usage: lint.py REPORT.json. Each linter is one check (passed when it exits 0); the report is
{"checks": [{"name", "passed", "output"}]}. Exits 1 when a check failed.
"""
import json
import subprocess
import sys

CHECKS = {
    "ruff": [sys.executable, "-m", "ruff", "check", "attnscope", "tests", ".ci", "benchmarks"],
    "eslint": ["npm", "run", "--silent", "lint"],
}


def main(argv):
    checks = []
    for name, cmd in CHECKS.items():
        try:
            run = subprocess.run(cmd, capture_output=True, text=True)
            passed, output = run.returncode == 0, (run.stdout + run.stderr).strip()
        except OSError as err:
            passed, output = False, str(err)
        print(f"{name}: {'passed' if passed else 'FAILED'}")
        if not passed:
            print(output)
        checks.append({"name": name, "passed": passed, "output": output[-20000:]})
    with open(argv[1], "w") as f:
        json.dump({"checks": checks}, f)
    return 0 if all(c["passed"] for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
