"""The kernel package's own rules: one jit home, cached, no Python objects."""

import ast
import importlib
import pkgutil
from pathlib import Path

import numba

import kernels
from kernels._jit import FASTMATH

# numpy, numba and math; heapq is a pure-stdlib priority queue Numba compiles.
ALLOWED_IMPORTS = {"numpy", "numba", "math", "heapq"}
# Kernels compiled with kernels._jit.jit_strict: MovingPandas' stop test, which
# must round like GEOS (module name -> function names, None for all).
STRICT_IEEE = {
    "kernels._movingpandas": None,
    "kernels.loitering": {
        "_movingpandas_fits",
        "movingpandas_window_measures",
        "_stop_segment_movingpandas",
        "_stop_segments_movingpandas",
    },
}


def _modules():
    for info in pkgutil.iter_modules(kernels.__path__):
        yield importlib.import_module(f"kernels.{info.name}")


def test_kernels_import_only_numeric_modules():
    for path in Path(kernels.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level > 0:  # relative: inside the package
                    continue
                names = [node.module.split(".")[0]]
            else:
                continue
            assert set(names) <= ALLOWED_IMPORTS, f"{path.name} imports {names}"


def test_every_kernel_is_cached_with_the_shared_fastmath_flags():
    dispatchers = []
    for module in _modules():
        for name, value in vars(module).items():
            if isinstance(value, numba.core.registry.CPUDispatcher):
                if value.__module__ != module.__name__:
                    continue  # imported from a sibling module
                dispatchers.append((module.__name__, name, value))
    assert len(dispatchers) > 30
    for module, name, dispatcher in dispatchers:
        options = dispatcher.targetoptions
        cache = type(dispatcher._cache).__name__  # NullCache unless cache=True
        assert cache != "NullCache", f"{module}.{name} is not cached"
        flags = set(options.get("fastmath", ()))
        # Strict IEEE (jit_strict) only where another library's rounding
        # must be reproduced bit for bit.
        allowed = STRICT_IEEE.get(module, set())
        strict_ok = not flags and (allowed is None or name in allowed)
        assert flags == set(FASTMATH) or strict_ok, (
            f"{module}.{name} sets its own fastmath flags"
        )
        assert "nnan" not in options.get("fastmath", ())
