"""Write tests/fixtures/slow_tests.txt from a ``pytest --durations=0`` log.

    .venv/bin/python -m pytest -n 2 -q --durations=0 > /tmp/durations.log
    .venv/bin/python tools/mark_slow.py /tmp/durations.log

A test is slow when its setup, call and teardown together took more than
``tests.fixtures.markers.SLOW_SECONDS``; the fast lane ``pytest -m "not slow"`` leaves those out.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.markers import SLOW_LIST, SLOW_SECONDS  # noqa: E402

LINE = re.compile(r"^([0-9.]+)s (?:call|setup|teardown)\s+(\S+)")


def main(log: str) -> int:
    spent: dict[str, float] = defaultdict(float)
    for line in Path(log).read_text(encoding="utf-8", errors="replace").splitlines():
        m = LINE.match(line)
        if m:
            spent[m.group(2)] += float(m.group(1))
    slow = sorted(k for k, v in spent.items() if v > SLOW_SECONDS)
    SLOW_LIST.write_text(f"# written by tools/mark_slow.py: tests over {SLOW_SECONDS} s in a full run\n"
                         + "".join(f"{k}\n" for k in slow), encoding="utf-8")
    print(f"{len(slow)} slow tests of {len(spent)} timed -> {SLOW_LIST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: tools/mark_slow.py DURATIONS_LOG", file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main(sys.argv[1]))
