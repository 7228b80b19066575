"""The one place where Numba jit options are set for every kernel.

``cache=True`` stores compiled machine code beside the source so a second
process start pays no compile time. fastmath omits ``nnan`` and ``ninf`` on
purpose: AIS data uses NaN for 'not available', and with those flags LLVM may
fold ``np.isnan(x)`` to False.
"""

import numba

FASTMATH = frozenset({"nsz", "arcp", "contract", "afn", "reassoc"})

jit = numba.njit(cache=True, nogil=True, fastmath=set(FASTMATH))
jit_parallel = numba.njit(cache=True, nogil=True, fastmath=set(FASTMATH), parallel=True)
