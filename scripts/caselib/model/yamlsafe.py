"""The one YAML loader of the library: PyYAML's safe loader, in libyaml's C version when it is
installed (about 8× faster, same results). Safe: no YAML tag constructs a Python object, so a
case file with `!!python/object` is an error message, never code run (tests/test_hostile.py)."""

from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    # For the type checker the two are one class: CSafeLoader has SafeLoader's interface (its
    # parser in C), and a variable could not be a base class (cases.py subclasses it).
    from yaml import SafeLoader as SafeLoader
else:
    SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
