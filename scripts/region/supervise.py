"""Keep one background process running, as systemd's ``Restart=always`` does in a real region
(deploy/systemd): a worker that dies (the drill kills one with SIGKILL) is started again after
a second. The child's pid is in var/region/run/<name>.child.pid, so the drill can kill the
worker itself and not this supervisor.

    python scripts/region/supervise.py <name> <command…>

SIGTERM stops the child (SIGTERM, SIGKILL after 20 s) and then the supervisor."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

RUN = Path(__file__).resolve().parents[2] / "var" / "region" / "run"


def main() -> int:
    name, command = sys.argv[1], sys.argv[2:]
    child_pid_file = RUN / f"{name}.child.pid"
    stopping = False
    child: subprocess.Popen[bytes] | None = None

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        child = subprocess.Popen(command)
        child_pid_file.write_text(f"{child.pid}\n")
        print(f"[supervise] {name}: started pid {child.pid}", flush=True)
        while True:
            try:
                code = child.wait(timeout=20 if stopping else None)
                break
            except subprocess.TimeoutExpired:
                child.kill()
        if not stopping:
            print(
                f"[supervise] {name}: pid {child.pid} exited with {code}; again in 1 s", flush=True
            )
            time.sleep(1)
    child_pid_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
