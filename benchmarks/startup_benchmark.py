"""Time from `interviewer practice` to the first question on screen, in a real terminal (tmux).

Each run starts `interviewer practice --offline --questions 3` in a fresh tmux pane with its own
INTERVIEWER_HOME, polls `tmux capture-pane` every 10 ms, and records when "Question 1/3" appears
and when the "loading model…" note disappears (the embedding model loaded in its worker). While
the model loads it types one letter every 150 ms and times how long each takes to show on screen
(the UI must stay responsive while torch is imported in the background).
Target: first question <= 1 s on the 2-core reference machine. The load average is printed too:
other work on the machine slows every number here.

    python benchmarks/startup_benchmark.py [--runs 5] [--json]

Without tmux, it falls back to a headless run of the same app (`App.run(headless=True)`), timed in a
subprocess from interpreter start to the first QuestionScreen being mounted.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 1.0
POLL_SECONDS = 0.01
FIRST_QUESTION = "Question 1/3"
LOADING = "loading model"
TIMEOUT_SECONDS = 60.0


def interviewer_command() -> list[str]:
    """The installed console script next to this Python, else `python -m interviewer`."""
    script = Path(sys.executable).with_name("interviewer")
    return [str(script)] if script.exists() else [sys.executable, "-m", "interviewer"]


def capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def typed_text_shows(session: str, typed: str, started: float) -> tuple[float, str]:
    """Seconds until `typed` is on screen (the answer box soft-wraps, so lines are joined)."""
    while time.perf_counter() - started < TIMEOUT_SECONDS:
        screen = capture(session)
        if typed in screen.replace("\n", "").replace("│", "").replace(" ", ""):
            return time.perf_counter() - started, screen
        time.sleep(POLL_SECONDS / 2)
    return TIMEOUT_SECONDS, ""


def tmux_run(index: int) -> dict[str, object]:
    """One start in tmux: seconds to first question and to model loaded, echo latencies while loading."""
    session = f"interviewer-startup-{os.getpid()}-{index}"
    with tempfile.TemporaryDirectory() as home:
        command = " ".join(
            shlex.quote(part) for part in [*interviewer_command(), "practice", "--offline", "--questions", "3"]
        )
        env_prefix = f"INTERVIEWER_HOME={shlex.quote(home)} INTERVIEWER_CONFIG=/dev/null"
        started = time.perf_counter()
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", f"{env_prefix} {command}"], check=True
        )
        first_question = model_loaded = None
        seen_loading = False
        echoes: list[float] = []
        typed = ""
        try:
            while time.perf_counter() - started < TIMEOUT_SECONDS:
                screen = capture(session)
                now = time.perf_counter() - started
                if first_question is None and FIRST_QUESTION in screen:
                    first_question = now
                seen_loading = seen_loading or LOADING in screen
                if first_question is not None and seen_loading and LOADING not in screen:
                    model_loaded = now
                    break
                if first_question is not None and seen_loading:
                    typed += "abcdefghijklmnopqrstuvwxyz"[len(typed) % 26]
                    sent = time.perf_counter()
                    subprocess.run(["tmux", "send-keys", "-t", session, "-l", typed[-1]], check=True)
                    shown, screen = typed_text_shows(session, typed, sent)
                    echoes.append(shown)
                    time.sleep(0.15)
                    continue
                time.sleep(POLL_SECONDS)
        finally:
            subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], capture_output=True)
            for _ in range(200):
                if subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode != 0:
                    break
                time.sleep(0.05)
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    return {"first_question_s": first_question, "model_loaded_s": model_loaded, "echo_s": echoes}


HEADLESS_SCRIPT = """
import os, sys, time
from interviewer.practice import PracticeOptions
from interviewer.tui.app import create_app
from interviewer.tui.screens.question import QuestionScreen

async def auto_pilot(pilot):
    app = pilot.app
    while not isinstance(app.screen, QuestionScreen) or not app.screen.is_mounted:
        await pilot.pause(0.002)
    print(time.time() - float(os.environ["STARTED_AT"]), flush=True)
    app.exit()

app = create_app(options=PracticeOptions(questions=3, offline=True, skip_start=True))
app.run(headless=True, auto_pilot=auto_pilot, size=(100, 30))
"""


def headless_run(index: int) -> dict[str, float | None]:
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "INTERVIEWER_HOME": home,
            "INTERVIEWER_CONFIG": "/dev/null",
            "STARTED_AT": str(time.time()),
        }
        output = subprocess.run(
            [sys.executable, "-c", HEADLESS_SCRIPT], env=env, capture_output=True, text=True, check=True
        )
    return {"first_question_s": float(output.stdout.strip().splitlines()[-1]), "model_loaded_s": None, "echo_s": []}


def summarize(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    parser.add_argument("--headless", action="store_true", help="measure headless even when tmux is installed")
    args = parser.parse_args()

    mode = "headless" if args.headless or not shutil.which("tmux") else "tmux"
    run = tmux_run if mode == "tmux" else headless_run
    load_before = os.getloadavg()[0]
    runs = [run(index) for index in range(args.runs)]
    first = [r["first_question_s"] for r in runs if r["first_question_s"] is not None]
    loaded = [r["model_loaded_s"] for r in runs if r["model_loaded_s"] is not None]
    echoes = sorted(echo for r in runs for echo in r["echo_s"])
    result = {
        "mode": mode,
        "runs": args.runs,
        "cpus": os.cpu_count(),
        "load_average_1min": round(load_before, 2),
        "first_question_s": summarize(first) if first else None,
        "model_loaded_s": summarize(loaded) if loaded else None,
        "echo_while_loading_s": (
            {
                "p50": echoes[len(echoes) // 2],
                "p95": echoes[int(len(echoes) * 0.95)],
                "max": echoes[-1],
                "keys": len(echoes),
            }
            if echoes
            else None
        ),
        "failed_runs": args.runs - len(first),
        "target_s": TARGET_SECONDS,
        "met": bool(first) and statistics.median(first) <= TARGET_SECONDS and len(first) == args.runs,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"interviewer start-up ({mode}, {args.runs} runs, {os.cpu_count()} CPUs, load average {load_before:.1f})")
        if first:
            s = result["first_question_s"]
            print(
                f"  first question on screen: median {s['median']:.2f} s (min {s['min']:.2f}, "
                f"max {s['max']:.2f}); target <= {TARGET_SECONDS:.1f} s"
            )
        if loaded:
            s = result["model_loaded_s"]
            print(
                f"  embedding model loaded:   median {s['median']:.2f} s (min {s['min']:.2f}, "
                f"max {s['max']:.2f}), in the background"
            )
        if echoes:
            e = result["echo_while_loading_s"]
            print(
                f"  keystroke echo while the model loads: p50 {e['p50'] * 1000:.0f} ms, "
                f"p95 {e['p95'] * 1000:.0f} ms, max {e['max'] * 1000:.0f} ms ({e['keys']} keys)"
            )
        if result["failed_runs"]:
            print(f"  {result['failed_runs']} run(s) never showed the first question within {TIMEOUT_SECONDS:.0f} s")
        print("  target met" if result["met"] else "  target MISSED")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
