"""The benchmarks' result table: measure, median, baseline, ratio."""

from __future__ import annotations


def print_table(backend: str, rows: list[tuple[str, ...]]) -> None:
    print(f"backend: {backend}")
    header = ("measure", "median", "baseline", "ratio")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
