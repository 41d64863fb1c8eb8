"""Reading /metrics with prometheus_client's own parser; the metric names the code declares."""

import re
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
DECLARED = re.compile(r"""\b(?:Counter|Gauge|Histogram|Summary)\(\s*["'](\w+)["']""")


def declared_metrics() -> set[str]:
    """Every metric name declared in the product's packages (as written: a counter's with `_total`)."""
    packages = [d for d in ROOT.iterdir() if (d / "__init__.py").exists() and d.name not in {"tests", "bench"}]
    return {name for package in packages for path in package.rglob("*.py")
            for name in DECLARED.findall(path.read_text())}


def families(client) -> dict:
    """GET /metrics and return its metric families by name."""
    response = client.get("/metrics")
    assert response.status_code == 200
    return {f.name: f for f in text_string_to_metric_families(response.content.decode())}


def samples(client) -> dict[tuple, float]:
    """GET /metrics and return {(sample name, sorted labels): value}."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families(client).values()
        for sample in family.samples
    }


def undeclared(referenced: set[str], *, external: set[str] = frozenset()) -> set[str]:
    """The names a query reads that no metric declares: a name is its family's, or a sample of it
    (`_bucket`, `_count`, `_sum` of a histogram; a counter's `_total`)."""
    known = {name.removesuffix("_total") for name in declared_metrics() | set(external)}
    return {name for name in referenced
            if name.removesuffix("_total") not in known and re.sub(r"_(bucket|count|sum)$", "", name) not in known}
