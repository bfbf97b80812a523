"""``pyas2lib``, importable on this OpenSSL: the one place that imports it.

pyas2lib 1.4.4 pins ``oscrypto==1.3.0``, the last release on PyPI, whose check of the
libcrypto version reads one digit per part (``\\d\\.\\d\\.\\d``): "OpenSSL 3.0.19" does not
match and every import of oscrypto fails with "Error detecting the version of libcrypto"
(wbond/oscrypto#75, #78; fixed on its master, d5f3437, never released). Until a release
carries the fix, the two modules that read the version are loaded with the pattern that
master uses (``\\d+`` per part). Nothing else of oscrypto changes; with a fixed oscrypto the
old pattern is absent and the modules load unchanged.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

_CHECKS = ("oscrypto._openssl._libcrypto_cffi", "oscrypto._openssl._libcrypto_ctypes")
_ONE_DIGIT = r"'\\b(\\d\\.\\d\\.\\d[a-z]*)\\b'"
_DIGITS = r"'\\b(\\d+\\.\\d+\\.\\d+[a-z]*)\\b'"


class _VersionCheckFix(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name not in _CHECKS:
            return None
        found = importlib.machinery.PathFinder.find_spec(name, path)
        if found is None or found.origin is None:
            return None
        return importlib.util.spec_from_file_location(name, found.origin, loader=self)

    def exec_module(self, module: ModuleType) -> None:
        origin = str(module.__spec__.origin if module.__spec__ else "")
        source = Path(origin).read_text(encoding="utf-8").replace(_ONE_DIGIT, _DIGITS)
        exec(compile(source, origin, "exec"), module.__dict__)


if not any(isinstance(each, _VersionCheckFix) for each in sys.meta_path):
    sys.meta_path.insert(0, _VersionCheckFix())

from pyas2lib import as2  # noqa: E402  (after the fix above, on purpose)

__all__ = ["as2"]
