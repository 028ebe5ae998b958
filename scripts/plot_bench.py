#!/usr/bin/env python3
"""Draw the network bench's figures from the JSON files npu_net writes.

    .venv/bin/python scripts/plot_bench.py OUT_DIR NET.json [NET.json ...]

For each NET.json (one network on one configuration), writes next to it in OUT_DIR:

    NET_utilization.png  per-layer MAC utilization bars, coloured by kind, with the network's
                         utilization as a line (layers without MACs, pooling, show none)
    roofline_<config>.png  every layer of every given network: arithmetic intensity (MACs per
                         byte read from memory) against attained MACs per cycle, under the roof
                         min(DIM*DIM, bandwidth * intensity) of the memory model the run used
                         (its read bandwidth: a beat of DIM bytes on the fraction of cycles it
                         presents data, or its cap). Reads and writes have channels of their
                         own, so the intensity counts the bytes of the channel the roof
                         describes; a layer's writes are in its CSV row.

Runs in the project's environment (matplotlib pinned in scripts/requirements.txt) without a
display (the Agg backend). Files are written to a temporary name and renamed.
"""

import argparse
import json
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

KIND_COLOURS = {
    "conv": "tab:blue",
    "depthwise": "tab:orange",
    "add": "tab:green",
    "max pool": "tab:gray",
    "avg pool": "tab:gray",
    "mean": "tab:purple",
}


def save(fig, path):
    """Saves fig as PNG at path atomically."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", suffix=".png.tmp")
    os.close(fd)
    try:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    plt.close(fig)


def read_bandwidth(run):
    """Bytes per cycle the run's memory model reads at most, on average."""
    mem = run["memory"]
    if mem["read_bytes_per_cycle"] > 0:
        return min(mem["read_bytes_per_cycle"], mem["data_bytes"])
    if run["backend"].startswith("iss"):
        return mem["data_bytes"]
    return mem["data_bytes"] * mem["r_valid_prob"]


def utilization_bars(run, out_dir):
    layers = run["run"]["layers"]
    peak = run["dim"] ** 2
    fig, ax = plt.subplots(figsize=(max(8, 0.18 * len(layers)), 4))
    xs = range(len(layers))
    ys = [100.0 * l["macs"] / (l["cycles"] * peak) if l["cycles"] else 0 for l in layers]
    ax.bar(xs, ys, color=[KIND_COLOURS.get(l["kind"], "tab:red") for l in layers], width=0.8)
    ax.axhline(100.0 * run["utilization"], color="black", linestyle="--", linewidth=1)
    ax.text(len(layers) - 0.5, 100.0 * run["utilization"] + 1.5,
            f"network {100.0 * run['utilization']:.1f} %", ha="right")
    ax.set_xlim(-1, len(layers))
    ax.set_ylim(0, 105)
    ax.set_xlabel("layer")
    ax.set_ylabel(f"MAC utilization of {run['config']} (%)")
    ax.set_title(f"{run['network']} on {run['config']}: {run['cycles']:,} cycles, "
                 f"{run['images_per_s_200mhz']:.1f} images/s at 200 MHz")
    kinds = [k for k in KIND_COLOURS if any(l["kind"] == k for l in layers)]
    ax.legend(handles=[Patch(color=KIND_COLOURS[k], label=k) for k in kinds], loc="lower left",
              fontsize="small", ncol=len(kinds))
    path = os.path.join(out_dir, f"{run['network']}_{run['config']}_utilization.png")
    save(fig, path)
    return path


def roofline(runs, out_dir):
    config = runs[0]["config"]
    peak = runs[0]["dim"] ** 2
    bw = read_bandwidth(runs[0])
    fig, ax = plt.subplots(figsize=(7, 5))
    lo, hi = 0.05, 2000.0
    knee = peak / bw
    ax.plot([lo, knee, hi], [bw * lo, peak, peak], color="black", linewidth=1.5,
            label=f"roof: {peak} MACs/cycle, {bw:.1f} B/cycle")
    markers = ["o", "s", "^", "D"]
    for i, run in enumerate(runs):
        pts = [(l["macs"] / max(1, l["bytes_read"]),
                l["macs"] / l["cycles"], l["kind"])
               for l in run["run"]["layers"] if l["macs"] > 0 and l["cycles"] > 0]
        for kind in sorted({p[2] for p in pts}):
            sel = [p for p in pts if p[2] == kind]
            ax.scatter([p[0] for p in sel], [p[1] for p in sel], s=18,
                       marker=markers[i % len(markers)], color=KIND_COLOURS.get(kind, "tab:red"),
                       label=f"{run['network']}: {kind}", alpha=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(0.5, peak * 2)
    ax.set_xlabel("arithmetic intensity (MACs per byte read from memory)")
    ax.set_ylabel("attained MACs per cycle")
    ax.set_title(f"roofline of {config} ({runs[0]['memory']['profile']} memory model)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    path = os.path.join(out_dir, f"roofline_{config}.png")
    save(fig, path)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("runs", nargs="+", help="JSON files written by npu_net --json")
    args = ap.parse_args()
    runs = []
    for path in args.runs:
        try:
            with open(path) as f:
                runs.append(json.load(f))
        except (OSError, ValueError) as e:
            sys.exit(f"plot_bench: {path}: {e}")
    os.makedirs(args.out_dir, exist_ok=True)
    for run in runs:
        print("wrote", utilization_bars(run, args.out_dir))
    by_config = {}
    for run in runs:
        by_config.setdefault(run["config"], []).append(run)
    for group in by_config.values():
        print("wrote", roofline(group, args.out_dir))


if __name__ == "__main__":
    main()
