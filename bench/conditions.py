"""What the benchmark scripts print beside their tables."""

import os
import subprocess
import time


def conditions():
    """When, on what, and how loaded the machine was: printed with the table."""
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                            text=True, cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), commit, load, os.cpu_count())
