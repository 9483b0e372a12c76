"""machine.md: what the results were measured on.

lscpu, the kernel, the CPU affinity of the run, Python, every engine's version (as the
workers reported them), the ONNX exporter used, and dlc's git commit. Deliberately read-only:
it runs `git rev-parse` and nothing that writes.
"""

import os
import platform
import subprocess


def _run(cmd, cwd=None):
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
        return (done.stdout or done.stderr).strip()
    except OSError as e:
        return f"({cmd[0]}: {e})"


def git_commit(repo):
    return _run(["git", "rev-parse", "HEAD"], cwd=repo) or "unknown"


def write(path, repo, versions, info):
    """Writes machine.md; versions: {engine: version}; info: {label: value} run facts."""
    lines = ["# Machine", "", f"- kernel: `{platform.platform()}` ({_run(['uname', '-r'])})",
             f"- python: {platform.python_version()}",
             f"- CPUs in this run's affinity mask: {sorted(os.sched_getaffinity(0))}",
             f"- dlc git commit: `{git_commit(repo)}`"]
    lines += [f"- {k}: {v}" for k, v in info.items()]
    lines += ["", "## Engine versions", "", "| engine | version |", "|---|---|"]
    lines += [f"| {e} | {v} |" for e, v in sorted(versions.items())]
    lines += ["", "## lscpu", "", "```", _run(["lscpu"]), "```", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))
