"""The same pipeline on a Dask cluster (``dask.distributed``), same answers.

The partitioned pipeline (:mod:`coastwatch.partitioned`) is a sequence of
passes of independent tasks over a partitioned dataset
(:mod:`coastwatch.dataset`); :class:`DaskExecutor` sends each pass's tasks
to the workers of a ``distributed.Client`` and gathers the (small) results,
which are reduced in this process exactly as in a serial run:

* reading: one task per input file; writing: one task per MMSI bucket
  (part by part);
* per-vessel work (segments, loitering, gap candidates, coverage counts,
  vessel profiles): one task per part of an MMSI hash bucket, over all its
  days;
* meetings (rendezvous, one-dark rendezvous) and reception context: one
  task per time window with a halo (a meeting belongs to the window it
  starts in; long meetings get a task of their own reading only their two
  vessels);
* products: one task per day, which sums the day's traffic grid bucket by
  bucket in exact integer half-seconds, then draws the pictures and writes
  the tasking and report. Days run in parallel, a day's buckets one after
  another: no grid outlives its day's task, where a grid per day and bucket
  gathered here would grow with the input.

Time windows rather than spatial tiles: the kernels sweep time, a window's
halo is bounded by the settings (a position needs fixes at most
``segment.max_gap_h`` away, a meeting's edges ``rendezvous.max_break_s``),
while a tile's halo would have to hold every fix a segment interpolates
across, which a moving vessel's does not bound in space. Windows give the
same meetings, bit for bit, whatever their length.

Workers read and write files: the dataset, the work folder and the output
folder must be visible to every worker under the same paths (a local
cluster, or a shared file system).

Examples
--------
>>> from coastwatch.distributed import local_cluster, detect  # doctest: +SKIP
>>> with local_cluster(2) as client:  # doctest: +SKIP
...     run = detect("tracks_dataset/", client)
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from .config import Config
from .dataset import TrackDataset, ingest_partitioned
from .partitioned import PartitionedRun, daily_dataset, detect_dataset

__all__ = [
    "DaskExecutor",
    "connect",
    "daily",
    "detect",
    "ingest",
    "local_cluster",
    "worker_peak_memory",
]


class DaskExecutor:
    """Runs the tasks of a partitioned run on a Dask cluster.

    Parameters
    ----------
    client : distributed.Client
        The cluster to use.
    progress : callable, optional
        Called as ``progress(label, done, total)`` as tasks finish.
    """

    def __init__(self, client, progress: Callable[[str, int, int], None] | None = None):
        self.client = client
        self.progress = progress

    def map(self, func, items: Sequence, label: str = "") -> list:
        """Run ``func`` on each item on the workers; results in item order."""
        if not len(items):
            return []
        from distributed import as_completed

        tag = uuid.uuid4().hex[:8]
        keys = [f"{label or func.__name__}-{tag}-{i}" for i in range(len(items))]
        futures = self.client.map(func, list(items), key=keys, pure=False)
        try:
            if self.progress is not None:
                for done, _ in enumerate(as_completed(futures), start=1):
                    self.progress(label, done, len(futures))
            return self.client.gather(futures)
        finally:
            for future in futures:
                future.release()


def local_cluster(workers: int, **options):
    """A ``distributed.Client`` on a new local cluster of worker processes.

    Parameters
    ----------
    workers : int
        Worker processes (one thread each), >= 1.
    **options
        Passed to ``distributed.LocalCluster`` (e.g. ``memory_limit``,
        ``dashboard_address``).

    Returns
    -------
    distributed.Client
        Closing it (or leaving a ``with`` block) also shuts the cluster
        down.
    """
    from distributed import Client

    options.setdefault("dashboard_address", ":0")
    options.setdefault("silence_logs", logging.ERROR)
    # A client started this way owns its cluster and shuts it down on close.
    return Client(
        n_workers=int(workers), threads_per_worker=1, processes=True, **options
    )


def connect(address: str):
    """A ``distributed.Client`` connected to a running scheduler.

    Parameters
    ----------
    address : str
        The scheduler, e.g. ``tcp://10.0.0.5:8786``.
    """
    from distributed import Client

    return Client(address)


def worker_peak_memory(client) -> dict[str, int]:
    """Peak resident memory of each worker process so far, bytes.

    From ``resource.getrusage`` in each worker (``ru_maxrss``).
    """
    return client.run(_peak_rss)


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def ingest(
    sources, output: str | os.PathLike, client, *, progress=None, **options
) -> TrackDataset:
    """:func:`coastwatch.dataset.ingest_partitioned` on a Dask cluster.

    Each input file is read by a worker, then each bucket written by one.
    ``options`` as for :func:`~coastwatch.dataset.ingest_partitioned`;
    ``progress(label, done, total)`` is called as tasks finish.
    """
    return ingest_partitioned(
        sources, output, executor=DaskExecutor(client, progress), **options
    )


def detect(
    dataset,
    client,
    config: Config | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    work_dir: str | os.PathLike | None = None,
    **options,
) -> PartitionedRun:
    """:func:`coastwatch.partitioned.detect_dataset` on a Dask cluster.

    Parameters
    ----------
    dataset : str, os.PathLike or TrackDataset
        A partitioned track dataset.
    client : distributed.Client
        The cluster.
    config : Config, optional
        Settings.
    progress : callable, optional
        Called as ``progress(label, done, total)`` as tasks finish.
    work_dir : str or os.PathLike, optional
        Shared folder for the segmented fixes (default beside the dataset).
    **options
        ``window_h``, ``window_rows``, ``stage``.

    Returns
    -------
    PartitionedRun
        The same events and incidents as a serial run.
    """
    return detect_dataset(
        dataset,
        config,
        executor=DaskExecutor(client, progress),
        work_dir=work_dir,
        **options,
    )


def daily(
    dataset,
    out_dir: str | os.PathLike,
    client,
    config: Config | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    work_dir: str | os.PathLike | None = None,
    **options,
) -> PartitionedRun:
    """:func:`coastwatch.partitioned.daily_dataset` on a Dask cluster.

    The day folders are written by the workers (``out_dir`` must be visible
    to them); ``options`` as for :func:`~coastwatch.partitioned.daily_dataset`.
    """
    return daily_dataset(
        dataset,
        Path(out_dir),
        config,
        executor=DaskExecutor(client, progress),
        work_dir=work_dir,
        **options,
    )
