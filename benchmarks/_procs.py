"""The benchmarks' child processes: their results, or a clear stop when one died without one."""

from __future__ import annotations

import queue


def results(out, procs: list, what: str) -> list:
    """One result per process of ``procs`` from the queue ``out``, in the order they come.

    A process that ends without putting its result (an exception, killed for memory) would leave
    a plain ``get`` waiting forever; this exits instead, naming ``what`` and the exit codes (the
    child's traceback is above, on stderr).
    """
    got: list = []
    while len(got) < len(procs):
        try:
            got.append(out.get(timeout=1.0))
        except queue.Empty:
            ended = [p for p in procs if not p.is_alive()]
            if len(ended) > len(got):
                try:  # a result put just before its process ended may still be in the pipe
                    got.append(out.get(timeout=2.0))
                except queue.Empty:
                    codes = ", ".join(str(p.exitcode) for p in ended)
                    raise SystemExit(f"{what}: a process ended without a result (exit code {codes}); "
                                     "its error is printed above") from None
    return got
