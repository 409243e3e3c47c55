"""Risky reads run in a child process with a memory cap and a time limit.

A user's file is read by native code (GDAL, GEOS, the Excel reader in Rust):
a pathological file can make it run for ever (a GeoPackage view with a cross
join), allocate without bound, or abort the process (a Rust panic on a failed
allocation). In the app all sessions share one process, so one upload must
not be able to take it down. :func:`read_isolated` runs a reader in a child
process, forked from a server process that has the readers imported already
(``multiprocessing``'s "forkserver" context), under ``RLIMIT_AS``; the child
returns the reader's result (or its :class:`~geo.errors.CoverageError`) by
pickle. A child that runs past the time limit is killed; one that dies (a
native abort, the memory cap) is reported. Either way the caller gets an
:class:`~geo.errors.InputError` naming the file and the limit.

Settings (environment variables, read at each call; defaults in brackets):

``VNCOVER_READ_TIMEOUT_S`` [60]
    Seconds a read may take.
``VNCOVER_READ_MEMORY_MB`` [2048]
    Address space of the reading process, in MiB (``RLIMIT_AS``).
``VNCOVER_READ_ISOLATION`` [1]
    ``0`` reads in this process, without limits (tests, benchmarks).

The entry points that take a user's file read through it:
:func:`geo.importing.import_boundaries.import_boundaries` (the boundary file),
:func:`geo.indicators.build.table_indicators` (fibre and team tables), and
:func:`geo.indicators.coverage.read_sites` and ``read_coverage_polygons`` (the
4G inputs). The Data page's table preview (``pages_app/data.py``) still calls
:func:`geo.reading.tables.read_table` in process (bounded by the caps of
:mod:`geo.reading.table_bounds`, not by a child).
The cost is a fork and the pickling of the result: about 0.05 s per read
plus a second once per process to start the server (see ``BENCHMARKS.md``).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Final, TypeVar

from geo.errors import CoverageError, InputError

T = TypeVar("T")

TIMEOUT_VARIABLE: Final = "VNCOVER_READ_TIMEOUT_S"
MEMORY_VARIABLE: Final = "VNCOVER_READ_MEMORY_MB"
ISOLATION_VARIABLE: Final = "VNCOVER_READ_ISOLATION"
DEFAULT_TIMEOUT_S: Final = 60.0
DEFAULT_MEMORY_MB: Final = 2048
#: Modules the server imports once, so that each child starts with them loaded.
PRELOAD: Final = ("geo.reading.read", "geo.reading.tables")


@dataclass(frozen=True)
class ReadLimits:
    """How a risky read is bounded (see the module docstring)."""

    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_mb: int = DEFAULT_MEMORY_MB
    isolated: bool = True

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ReadLimits:
        """The limits the ``VNCOVER_READ_*`` variables set, the defaults for those not set."""
        environ = os.environ if environ is None else environ
        return cls(
            timeout_s=_number(environ, TIMEOUT_VARIABLE, DEFAULT_TIMEOUT_S, float),
            memory_mb=int(_number(environ, MEMORY_VARIABLE, DEFAULT_MEMORY_MB, int)),
            isolated=environ.get(ISOLATION_VARIABLE, "1").strip() != "0",
        )


def _number(environ: Mapping[str, str], name: str, default: float, kind: type) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise InputError(f"{name}={text!r} is not a positive number; unset it to use {default}")
    return value


def read_isolated(
    read: Callable[..., T],
    *args: object,
    what: str,
    limits: ReadLimits | None = None,
    **kwargs: object,
) -> T:
    """``read(*args, **kwargs)`` in a child process within ``limits`` (default: from the environment).

    Parameters
    ----------
    read
        A module-level function (it is pickled by name).
    what
        The file read, for the messages.
    limits
        Time, memory, and whether to isolate at all.

    Raises
    ------
    InputError
        When the read runs past the time limit, or the child dies (the memory
        cap, a native abort); and any :class:`~geo.errors.CoverageError` the
        reader raised, as it raised it.
    """
    limits = limits or ReadLimits.from_environment()
    if not limits.isolated:
        return read(*args, **kwargs)
    receive, send = _context().Pipe(duplex=False)
    child = _context().Process(
        target=_run_child,
        args=(send, limits.memory_mb, read, args, kwargs),
        name=f"vncover-read:{what}",
        daemon=True,
    )
    child.start()
    send.close()
    try:
        return _outcome(receive, child, what=what, limits=limits)
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()


def _outcome(
    receive: Connection,
    child: multiprocessing.process.BaseProcess,
    *,
    what: str,
    limits: ReadLimits,
) -> T:  # type: ignore[type-var]
    if not receive.poll(limits.timeout_s):
        child.kill()
        raise InputError(
            f"{what}: reading did not finish within {limits.timeout_s:g} s ({TIMEOUT_VARIABLE}); "
            "the file is too large or holds something that makes the reader loop (a database view, "
            "a geometry with millions of points): simplify it or export only the layer needed, "
            "then load it again"
        )
    try:
        kind, payload = receive.recv()
    except EOFError:  # the child died before it could answer
        child.join()
        raise InputError(_died(what, child.exitcode, limits)) from None
    if kind == "ok":
        return payload
    if kind == "memory":
        raise InputError(_over_memory(what, limits))
    if isinstance(payload, BaseException):
        raise payload
    raise RuntimeError(f"reading {what} failed in the reading process:\n{payload}")


def _died(what: str, exitcode: int | None, limits: ReadLimits) -> str:
    how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit {exitcode}"
    return (
        f"{what}: the reader stopped ({how}) before it finished, most likely at the memory cap of "
        f"{limits.memory_mb} MiB ({MEMORY_VARIABLE}); the file needs more memory than a table or "
        "boundary file should: check it is the file you meant, or export only the data needed"
    )


def _over_memory(what: str, limits: ReadLimits) -> str:
    return (
        f"{what} needs more than the {limits.memory_mb} MiB a read may use ({MEMORY_VARIABLE}); "
        "check it is the file you meant, or export only the data needed, then load it again"
    )


def _run_child(
    send: Connection,
    memory_mb: int,
    read: Callable[..., object],
    args: tuple[object, ...],
    kwargs: dict[str, object],
) -> None:
    """In the child: cap the address space, read, send ("ok", result) or the failure."""
    limit = memory_mb * 1024**2
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(
        resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard)
    )
    try:
        message: tuple[str, object] = ("ok", read(*args, **kwargs))
    except MemoryError:
        message = ("memory", None)
    except CoverageError as error:
        message = ("error", error)
    except Exception:  # a bug, not bad input: sent back as its traceback text
        message = ("bug", traceback.format_exc())
    try:
        send.send(message)
    except MemoryError:
        send.send(("memory", None))
    finally:
        send.close()


_CONTEXT: list[multiprocessing.context.BaseContext] = []


def _context() -> multiprocessing.context.BaseContext:
    """The forkserver context, its server preloading the readers (created once per process)."""
    if not _CONTEXT:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        _CONTEXT.append(context)
    return _CONTEXT[0]
