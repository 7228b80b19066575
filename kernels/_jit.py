"""The one place where Numba jit options are set for every kernel.

``cache=True`` stores compiled machine code beside the source so a second
process start pays no compile time. fastmath omits ``nnan`` and ``ninf`` on
purpose: AIS data uses NaN for 'not available', and with those flags LLVM may
fold ``np.isnan(x)`` to False.

``jit_strict`` compiles with strict IEEE arithmetic (no contraction into FMA,
no reciprocals, no reassociation), for the few helpers that must round
exactly like another library's compiled code: GEOS's minimum-area rectangle
settles ties between equal areas, and the near-zero widths of sliver hulls,
by its rounding, and reproducing MovingPandas' stops needs the same choice.
"""

import numba

FASTMATH = frozenset({"nsz", "arcp", "contract", "afn", "reassoc"})

jit = numba.njit(cache=True, nogil=True, fastmath=set(FASTMATH))
jit_parallel = numba.njit(cache=True, nogil=True, fastmath=set(FASTMATH), parallel=True)
jit_strict = numba.njit(cache=True, nogil=True)
