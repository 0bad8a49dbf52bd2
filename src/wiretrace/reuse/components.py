"""Connected components of a graph given edge by edge (union-find; pure, no dependencies).

>>> uf = UnionFind()
>>> uf.union(3, 1); uf.union(1, 7); uf.find(7), uf.find(5)
(1, 5)
"""

from __future__ import annotations


class UnionFind:
    """Disjoint sets of integers; each set is named by its smallest member (deterministic)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        """The smallest member of ``x``'s set (``x`` itself if never joined)."""
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)
