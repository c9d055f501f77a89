"""The annual review: time and peak memory to build the DOCX and the PDF of the 33-library demo
region's 2021 review (target: ≤ 3 s for both together), next to the in-run baseline."""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def review_libraries(review) -> int:
    from parskats.stats.aggregate import aggregate

    return len(aggregate(review.network, review.survey, review.year).units)


def report(client, base_p50_ms: float) -> None:
    from parskats.yearbook.document import build_document
    from parskats.yearbook.docx_export import render_docx
    from parskats.yearbook.models import AnnualReview
    from parskats.yearbook.pdf_export import render_pdf

    runs = int(os.environ.get("BENCH_DOCUMENT_RUNS", "5"))
    review = AnnualReview.objects.get(network__slug="valka", year=2021)
    # Cold: the first build in the process, no chart drawn yet. CPU time too: on a shared machine
    # the wall time also counts waiting for a core.
    start, cpu_start = time.perf_counter(), time.process_time()
    document = build_document(review, "lv")
    docx, pdf = render_docx(document), render_pdf(document)
    cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # Peak memory of Python objects while building both again in English (tracemalloc slows it down,
    # so it is measured apart from the times).
    tracemalloc.start()
    english = build_document(review, "en")
    render_docx(english), render_pdf(english)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    sizes = f"{len(docx) / 1024:.0f} KiB DOCX, {len(pdf) / 1024:.0f} KiB PDF"
    libraries = review_libraries(review)
    print(f"\nAnnual review 2021 ({libraries} libraries): {len(document.headings)} headings, "
          f"{len(document.tables)} tables, {len(document.figures)} figures; {sizes}")  # fmt: skip
    print(
        f"cold build of both: {cold:.2f} s wall, {cold_cpu:.2f} s CPU (target: ≤ 3 s); "
        f"peak Python memory {peak:.0f} MiB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    _apart(review, runs)
    url = "/n/valka/annual-review/2021/export"
    print(f"{'case':<52} {'p50 ms':>8} {'p95 ms':>8} {'p50 / baseline':>15}")
    both = []
    for fmt in ("docx", "pdf"):
        samples = []
        for _ in range(runs):
            begin = time.perf_counter()
            response = client.get(f"{url}.{fmt}?lang=lv")
            samples.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200
        both.append(samples)
        p50 = statistics.median(samples)
        print(f"{'review ' + fmt.upper() + ' download (lv), ' + str(runs) + ' runs':<52} {p50:8.0f} "
              f"{_p95(samples):8.0f} {p50 / base_p50_ms:14.0f}x")  # fmt: skip
    together = [a + b for a, b in zip(*both, strict=True)]
    print(f"{'DOCX + PDF together':<52} {statistics.median(together):8.0f} {_p95(together):8.0f}")


def _apart(review, runs: int) -> None:
    """Warm builds of the Latvian DOCX + PDF, before (in turn in this process) and after (gathered and
    laid out here, the two files written at once in two forked processes, as the exports job does)."""
    import resource

    from parskats.core.apart import build_apart
    from parskats.yearbook.document import build_document
    from parskats.yearbook.docx_export import render_docx
    from parskats.yearbook.jobs import file_maker
    from parskats.yearbook.pdf_export import layout, render_pdf

    def in_turn() -> None:
        document = build_document(review, "lv")
        render_docx(document), render_pdf(document)

    peaks: dict[str, int] = {}

    def apart() -> None:
        document = build_document(review, "lv")
        layout(document)
        parts = build_apart({fmt: file_maker(document, fmt) for fmt in ("docx", "pdf")})
        for fmt, part in parts.items():
            peaks[fmt] = max(peaks.get(fmt, 0), part.max_rss)
            peaks[f"{fmt} own"] = max(peaks.get(f"{fmt} own", 0), part.private)

    for label, build in (("before: DOCX + PDF in turn (warm)", in_turn), ("after: DOCX + PDF apart (warm)", apart)):
        walls, cpus = [], []
        for _ in range(runs):
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            start, cpu_start = time.perf_counter(), time.process_time()
            build()
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu_start + after.ru_utime + after.ru_stime - children.ru_utime
                        - children.ru_stime)  # fmt: skip
        print(f"{label:<52} {statistics.median(walls):6.2f} s wall p50, {statistics.median(cpus):.2f} s CPU "
              f"(this process + children), target ≤ 3 s")  # fmt: skip
    print(f"  peak RSS of the children: DOCX {peaks['docx'] / 2**20:.0f} MB (own {peaks['docx own'] / 2**20:.0f} MB), "
          f"PDF {peaks['pdf'] / 2**20:.0f} MB (own {peaks['pdf own'] / 2**20:.0f} MB)")  # fmt: skip
