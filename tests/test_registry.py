"""The registries lower layers own and higher layers fill (secretaria/registry.py)."""

from dataclasses import dataclass

from secretaria.registry import Registry


@dataclass(frozen=True)
class Hook:
    name: str
    order: int = 100


def test_entries_come_in_their_order_and_a_second_registration_replaces_the_first():
    registry = Registry(key=lambda h: h.name, order=lambda h: (h.order, h.name))
    registry.register(Hook("b", 10))
    registry.register(Hook("a", 20))
    registry.register(Hook("b", 30))

    assert [(h.name, h.order) for h in registry.all()] == [("a", 20), ("b", 30)]
    assert registry.get("b") == Hook("b", 30) and registry.get("c") is None


def test_without_an_order_entries_keep_the_order_they_were_registered_in():
    registry = Registry(key=lambda h: h.name)
    for name in "zyx":
        registry.register(Hook(name))
    registry.unregister("y")
    registry.unregister("nobody")

    assert [h.name for h in registry.all()] == ["z", "x"]
