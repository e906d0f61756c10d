"""Where the benchmarks find their inputs, whichever folder they are started from.

The shared data comes from the settings, as the CLI reads them (``MEDKG_SHARED_DATA``, the
``MEDKG_CONFIG`` file, else the default beside the repository); the shipped models come from the
repository, not from the working directory.
"""

from __future__ import annotations

from pathlib import Path

from kg.config import REPO_ROOT, load_settings
from kg.errors import ConfigError
from kg.extract.loader import DICTIONARY, WITH_DICTIONARY


def medkg_settings(**overrides):
    """The settings a ``medkg`` command would get, or a one-line stop instead of a traceback."""
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        raise SystemExit(f"error {exc}") from None


def shared_data() -> Path:
    return medkg_settings().shared_data


def resolve_tier(spec: str, root: Path = REPO_ROOT, cwd: Path | None = None) -> str:
    """``spec`` (an NER tier as ``load_extractor`` takes it) with its model folder made absolute.

    A relative folder is looked up in the repository first (``models/ner-cpu`` is the shipped one),
    then in the working directory. A spec that names a folder (absolute, starting with ``.`` or
    ``~``, under a folder that exists in either place, or followed by ``+dictionary``) and is in
    neither is refused here, naming where it was looked for: the loader would take it for a
    Hugging Face hub name and wait minutes on the network. ``dictionary`` and hub names such as
    ``ORG/NAME`` are passed on as they are.
    """
    if spec == DICTIONARY:
        return spec
    model = spec.removesuffix(WITH_DICTIONARY)
    suffix = spec[len(model):]
    path = Path(model).expanduser()
    cwd = cwd or Path.cwd()
    places = [path] if path.is_absolute() else [root / path, cwd / path]
    for place in places:
        if place.exists():
            return f"{place.resolve()}{suffix}"
    names_folder = (path.is_absolute() or model.startswith((".", "~")) or bool(suffix)
                    or any(path.parts and (base / path.parts[0]).is_dir() for base in (root, cwd)))
    if names_folder:
        raise SystemExit(f"NER tier {spec!r}: no model folder {model} (looked for {' and '.join(map(str, places))})")
    return spec
