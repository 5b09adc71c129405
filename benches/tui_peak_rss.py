"""The evaldeck TUI's peak resident memory with a task's whole Samples list loaded, as a user
sees it: the release binary in a pseudo-terminal (160×40), `Enter` on the newest run, `Enter` on
its first task, then a wait for the list to load.

    cargo build --release
    python3 benches/tui_peak_rss.py [RUN_FOLDER ...]

Without folders it measures the bench's 250,000- and 1,000,000-row tasks (run
`cargo bench --bench tui -- samples_list` first, which writes them). Prints the median of 3 runs.
"""

import fcntl
import os
import pty
import select
import statistics
import struct
import sys
import termios
import time

BINARY = os.path.join(os.path.dirname(__file__), "..", "target", "release", "evaldeck")
DATA = os.path.join(os.path.dirname(__file__), "..", "target", "bench-data")


def peak_mb(source, settle):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execv(BINARY, [BINARY, source])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))

    def drain(seconds):
        end = time.time() + seconds
        while time.time() < end:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    os.read(fd, 65536)
                except OSError:
                    return

    def high_water_mb():
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM"):
                    return int(line.split()[1]) / 1024

    drain(1.5)
    os.write(fd, b"\r")  # the run's results
    drain(1.5)
    os.write(fd, b"\r")  # the task's samples, loaded whole while we wait
    drain(settle)
    peak = high_water_mb()
    os.write(fd, b"q")
    drain(0.5)
    os.waitpid(pid, 0)
    return peak


def main():
    sources = sys.argv[1:] or [
        os.path.join(DATA, f"run-one-task-{rows}") for rows in (250_000, 1_000_000)
    ]
    for source in sources:
        peaks = [peak_mb(source, 8) for _ in range(3)]
        print(f"{os.path.basename(source)}: peak RSS {statistics.median(peaks):.0f} MB "
              f"(runs: {', '.join(f'{p:.0f}' for p in peaks)})")


if __name__ == "__main__":
    main()
