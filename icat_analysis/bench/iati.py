"""The IATI import's speed and memory: ``bench --iati 10000,100000``.

For each size, a synthetic IATI file is generated (deterministic: the same size and seed give
the same file), then ``import-iati`` reads it into an empty export in a child process of its
own, so the peak memory measured is that import's alone. Every generated activity is an ICAT
agency's work against trafficking, so every one is mapped, inferred, kept and written: the
slowest case. Target: 5,000 activities a second on the reference machine (2 cores), with a
peak memory that does not grow with the size of the file.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import time
from pathlib import Path
from xml.sax.saxutils import escape

TARGET_PER_S = 5_000

_AGENCIES = (("XM-DAC-47066", "International Organization for Migration (IOM)"), ("XM-DAC-41122", "UNICEF"))
_DONORS = ("US-GOV-1", "United States"), ("XM-DAC-7", "Netherlands"), ("GB-GOV-1", "United Kingdom")
_COUNTRIES = ("BD", "NP", "TH", "NG", "NE", "ML", "UA", "MD", "GT", "HN", "PH", "VN", "KH", "ET", "LB")
_TITLES = {
    "en": "Counter-trafficking programme: protection of victims of trafficking and prosecution of traffickers",
    "fr": "Lutte contre la traite des êtres humains : prévention et assistance aux victimes",
    "es": "Prevención de la trata de personas y protección de víctimas en la región",
    "pt": "Enfrentamento ao tráfico de pessoas e capacitação de autoridades",
}
_DESCRIPTION = (
    "The project strengthens the capacity of law enforcement, prosecutors and civil society to identify "
    "victims of trafficking, refer them to shelters and reintegration services, and raise awareness of "
    "forced labour and sexual exploitation among migrants, women and children."
)


def _activity(i: int, rng: random.Random) -> str:
    lang = rng.choice(("en", "en", "fr", "es", "pt"))
    ref, name = _AGENCIES[i % 2]
    donor_ref, donor = _DONORS[i % 3]
    start_year = 2012 + i % 10
    country = rng.choice(_COUNTRIES)
    place = (
        f'<recipient-country code="{country}" percentage="100"/>'
        if i % 7
        else '<recipient-region code="202" vocabulary="2" percentage="100"/>'
    )
    budgets = "".join(
        f'<budget type="{t}" status="1"><period-start iso-date="{start_year + y}-01-01"/>'
        f'<period-end iso-date="{start_year + y}-12-31"/>'
        f'<value currency="USD" value-date="{start_year}-01-01">{rng.randint(10_000, 900_000)}.00</value></budget>'
        for y in range(2)
        for t in ("1", "2")
    )
    return (
        f'<iati-activity xml:lang="{lang.upper()}" default-currency="USD" hierarchy="1">'
        f"<iati-identifier>{ref}-BENCH-{i:07d}</iati-identifier>"
        f'<reporting-org ref="{ref}" type="40"><narrative>{escape(name)}</narrative></reporting-org>'
        f'<title><narrative xml:lang="{lang}">{escape(_TITLES[lang])}</narrative>'
        f'<narrative xml:lang="en">{escape(_TITLES["en"])}</narrative></title>'
        f"<description><narrative>{escape(_DESCRIPTION)}</narrative></description>"
        f'<participating-org ref="{donor_ref}" role="1" type="10"><narrative>{donor}</narrative></participating-org>'
        f'<participating-org ref="{ref}" role="2" type="40"><narrative>{escape(name)}</narrative></participating-org>'
        f'<participating-org role="4" type="22"><narrative>Local partner {i % 50}</narrative></participating-org>'
        f'<activity-status code="{rng.choice("2234")}"/>'
        f'<activity-date iso-date="{start_year}-03-01" type="1"/><activity-date iso-date="{start_year}-04-01" type="2"/>'
        f'<activity-date iso-date="{start_year + 3}-12-31" type="3"/>'
        f"{place}"
        '<sector vocabulary="1" code="15190" percentage="60"/><sector vocabulary="1" code="15180" percentage="40"/>'
        '<tag vocabulary="3" code="8.7"/><policy-marker vocabulary="1" code="1" significance="2"/>'
        f"{budgets}</iati-activity>\n"
    )


def generate(path: Path, n: int, seed: int = 2006) -> Path:
    """Write a synthetic IATI activity file of ``n`` activities to ``path`` (streamed)."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n')
        for i in range(n):
            fh.write(_activity(i, rng))
        fh.write("</iati-activities>\n")
    return path


def _cpu_seconds() -> float:
    """CPU time of this process and of the workers it has waited for: on a shared machine the
    wall-clock time also counts the time others had the cores."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _import_child(xml: str, data: str, conn) -> None:
    from icat_analysis.sources import iati

    try:
        before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu0 = _cpu_seconds()
        t0 = time.perf_counter()
        report = iati.import_iati([Path(xml)], Path(data))
        seconds = time.perf_counter() - t0
        cpu = _cpu_seconds() - cpu0
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # a big file is read by one worker process per core: the largest of them, and all together
        worker_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        workers = iati._cores() if iati._pieces(Path(xml), Path(xml).name) else 0
        conn.send(
            {
                "read": sum(report.read.values()),
                "kept": sum(report.kept.values()),
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "workers": workers,
                "peak_memory_mb": round(peak_kb / 1024, 1),
                "peak_memory_worker_mb": round(worker_kb / 1024, 1) if workers else None,
                "peak_memory_all_mb": round((peak_kb + workers * worker_kb) / 1024, 1),
                "memory_before_import_mb": round(before_kb / 1024, 1),
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
    except BaseException as exc:  # reported by the parent
        conn.send({"error": f"{type(exc).__name__}: {exc}"})


def bench_import(n: int, out: Path, seed: int = 2006) -> dict:
    """Generate (or reuse) the file of ``n`` activities and time its import into an empty export."""
    xml = out / f"iati_{n}.xml"
    built = None
    if not xml.exists():
        t0 = time.perf_counter()
        generate(xml, n, seed)
        built = round(time.perf_counter() - t0, 1)
    data = out / f"iati_{n}_export"
    shutil.rmtree(data, ignore_errors=True)
    from icat_analysis.bench.run import _in_child

    res = _in_child(_import_child, str(xml), str(data))
    res.pop("queries", None)
    shutil.rmtree(data, ignore_errors=True)
    res.update(activities=n, file_mb=round(xml.stat().st_size / 2**20, 1), generated_s=built)
    if "seconds" in res:
        res["activities_per_s"] = round(n / res["seconds"]) if res["seconds"] else None
        res["meets_target"] = bool(res["activities_per_s"] and res["activities_per_s"] >= TARGET_PER_S)
        res["activities_per_cpu_s"] = round(n / res["cpu_seconds"]) if res["cpu_seconds"] else None
    return res


def table(results: dict[int, dict]) -> str:
    lines = [
        "| activities | file MB | seconds | activities/s | CPU s | per CPU-s | load | peak memory MB "
        "(import, all processes) | target 5,000/s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for n, r in results.items():
        if "error" in r:
            lines.append(f"| {n:,} | | | | | | | | error: {r['error']} |")
            continue
        ok = "met" if r["meets_target"] else "missed"
        lines.append(
            f"| {n:,} | {r['file_mb']} | {r['seconds']} | {r['activities_per_s']:,} | {r['cpu_seconds']} | "
            f"{r['activities_per_cpu_s']:,} | {r['load_average']} | {r['peak_memory_mb']}, {r['peak_memory_all_mb']} | {ok} |"
        )
    return "\n".join(lines)
