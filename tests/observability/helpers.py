"""Reading /metrics with prometheus_client's own parser."""

from prometheus_client.parser import text_string_to_metric_families


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
