#!/usr/bin/env python3
"""Runs a command against a fresh sandbox process, with its test account in NARVAR_* variables:

    python3 bindings-mobile/tools/with_sandbox.py target/debug/narvar-sandbox -- java ... JourneyKt 1001
"""
import os
import re
import subprocess
import sys


def main() -> int:
    binary, command = sys.argv[1], sys.argv[sys.argv.index("--") + 1:]
    sandbox = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, text=True)
    env = dict(os.environ)
    try:
        assert sandbox.stdout is not None
        for line in sandbox.stdout:
            if line.strip().startswith("account ") and "NARVAR_ACCOUNT_ID" not in env:
                env.update(re.findall(r"(NARVAR_\w+)=(\S+)", line))
            if "NARVAR_BASE_URL=" in line:
                env.update(re.findall(r"(NARVAR_BASE_URL)=(\S+)", line))
                break
        return subprocess.call(command, env=env)
    finally:
        sandbox.terminate()
        sandbox.wait()


if __name__ == "__main__":
    sys.exit(main())
