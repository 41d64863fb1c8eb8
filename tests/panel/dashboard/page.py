"""A rendered page read the way a person reads it: the text of an element, its list items, its links."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: _Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[_Node | str] = []

    def text(self) -> str:
        parts = [child if isinstance(child, str) else child.text() for child in self.children]
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def find_all(self, tag: str) -> list[_Node]:
        found = []
        for child in self.children:
            if isinstance(child, _Node):
                if child.tag == tag:
                    found.append(child)
                found.extend(child.find_all(tag))
        return found


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {}, None)
        self.current = self.root
        self.ids: dict[str, _Node] = {}

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(node)
        if "id" in node.attrs:
            self.ids[node.attrs["id"]] = node
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


class Page:
    def __init__(self, html: str | bytes):
        builder = _Builder()
        builder.feed(html.decode() if isinstance(html, bytes) else html)
        self.root, self.ids = builder.root, builder.ids

    def has(self, element_id: str) -> bool:
        return element_id in self.ids

    def text(self, element_id: str | None = None) -> str:
        return (self.ids[element_id] if element_id else self.root).text()

    def items(self, element_id: str) -> list[str]:
        """The text of each list item inside the element, in order."""
        return [li.text() for li in self.ids[element_id].find_all("li")]

    def links(self, element_id: str | None = None) -> dict[str, str]:
        """Link text -> href inside the element (the whole page without one)."""
        node = self.ids[element_id] if element_id else self.root
        return {a.text(): a.attrs.get("href", "") for a in node.find_all("a")}

    def value(self, element_id: str) -> str:
        return self.ids[element_id].attrs.get("value", "")

    def svgs(self, element_id: str | None = None) -> list[dict[str, str]]:
        node = self.ids[element_id] if element_id else self.root
        return [svg.attrs for svg in node.find_all("svg")]

    def tooltips(self, element_id: str) -> list[str]:
        """The <title> of each bar or point of the charts inside the element (the chart's own title apart)."""
        return [title.text() for title in self.ids[element_id].find_all("title") if title.parent.tag != "svg"]
