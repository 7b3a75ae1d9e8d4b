"""Write the shipped .docx templates from the TOML wording.

    python -m optimizer.outputs.documents.build_templates          # write them
    python -m optimizer.outputs.documents.build_templates --check  # exit 1 if stale

Run it after changing ``optimizer/outputs/templates/agreement_<lang>.toml`` (or the
layout in :mod:`.render`) and commit the .docx files it writes next to the TOML; the
tests fail while a committed template differs from what the wording gives. The bytes do
not depend on the day it runs (:data:`.templating.TEMPLATE_DATE`).
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from optimizer.outputs.documents.spec import DOCUMENTS, LANGUAGES
from optimizer.outputs.documents.templating import build_template, template_name
from optimizer.outputs.files import atomic_write_bytes

__all__ = ["template_folder", "stale_templates", "write_templates", "main"]


def template_folder() -> Path:
    """The package's ``optimizer/outputs/templates`` folder."""
    return Path(str(resources.files("optimizer.outputs") / "templates"))


def stale_templates(folder: Path | None = None) -> list[str]:
    """The template files of ``folder`` (the package's by default) that are missing or
    differ from what the wording gives."""
    folder = folder or template_folder()
    stale = []
    for document in DOCUMENTS:
        for language in LANGUAGES:
            path = folder / template_name(document, language)
            if not path.is_file() or path.read_bytes() != build_template(document, language):
                stale.append(path.name)
    return stale


def write_templates(folder: Path | None = None) -> list[Path]:
    """Write every template into ``folder`` (the package's by default)."""
    folder = folder or template_folder()
    return [
        atomic_write_bytes(
            folder / template_name(document, language), build_template(document, language)
        )
        for document in DOCUMENTS
        for language in LANGUAGES
    ]


def main(argv: list[str] | None = None) -> int:
    """Command line: write the templates, or with ``--check`` report stale ones."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    parser.add_argument("--folder", type=Path, help="another folder to write into")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_templates(args.folder)
        for name in stale:
            print(f"stale: {name}")
        return 1 if stale else 0
    for path in write_templates(args.folder):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
