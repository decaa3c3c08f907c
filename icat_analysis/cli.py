"""``python -m icat_analysis COMMAND``: the command line of docs/SCHEMA.md.

Each command lives in its own module, which provides ``add_arguments(parser)`` and
``run(args) -> int``; this file only wires them up. Exit status: 0 done, 1 input refused,
2 wrong usage.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from icat_analysis.errors import InputError

#: command -> (module, one-line help)
COMMANDS = {
    "demo": ("icat_analysis.sources.demo", "write a deterministic synthetic export"),
    "import-activities": (
        "icat_analysis.sources.template",
        "validate agency submissions and merge them into the export",
    ),
    "import-iati": (
        "icat_analysis.sources.iati",
        "read IATI activity files and merge their activities into the export",
    ),
    "iati-sample": ("icat_analysis.sources.iati_sample", "build an IATI sample export, naming its sources"),
    "import-resources": ("icat_analysis.sources.resources", "validate resource files and merge them into the library"),
    "import-events": ("icat_analysis.sources.events", "validate event files and merge them into the calendar"),
    "import-glotip": ("icat_analysis.sources.glotip", "load a UNODC GLOTIP workbook or CSV into indicators.parquet"),
    "template": (
        "icat_analysis.store.blank_template",
        "write the blank activity template (XLSX with dropdowns, or CSV)",
    ),
    "validate": ("icat_analysis.store.validate", "check an export against the data contract"),
    "rebuild-cache": (
        "icat_analysis.store.db",
        "write DuckDB's copy of an export's tables, so the dashboard opens it without reading parquet",
    ),
    "publish": ("icat_analysis.store.publish", "write an export holding only what one sharing level may see"),
    "history": ("icat_analysis.store.history", "list the versions of the export the history keeps"),
    "changes": ("icat_analysis.analyses.changes", "what changed in the export between two dates"),
    "quality": (
        "icat_analysis.analyses.freshness",
        "write each agency's freshness scorecard (or its stale rows) as CSV",
    ),
    "duplicates": ("icat_analysis.analyses.duplication", "print ranked candidate duplicate pairs as CSV"),
    "bench": ("icat_analysis.bench.run", "run the performance benchmark"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m icat_analysis", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    argv = sys.argv[1:] if argv is None else argv
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        if name == chosen:  # import only the command that runs: start-up stays fast
            module = importlib.import_module(module_name)
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on wrong usage, 0 on --help
        return int(exc.code or 0)
    try:
        code = int(args._run(args) or 0)
        sys.stdout.flush()
    except InputError as exc:  # a damaged export or a bad setting: say what and how to recover
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader of the output went away (``duplicates ... | head``): what it wanted was
        # printed. Python would still complain when it flushes stdout at exit, so stdout is
        # pointed at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code
