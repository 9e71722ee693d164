"""Whether a changelog template renders each release on its own, so that a released section's
text can be cached and spliced between the others (``changelog --all``).

Decided from the template's syntax tree, conservatively: one top-level
``{% for x in releases %}`` (the only mention of ``releases``), no ``else``/filter/recursion,
and a body that reads nothing but its release, ``loop.first``, the context flags (``header``,
``bracketed``, ``group_by_scope``), Jinja2's pure globals and names it sets itself; no
``include``/``import``/``extends``/``macro``/``call``/``block`` anywhere, no ``random`` filter or
``lipsum``. Then the loop body's output for a release depends on that release and on whether it
is the first, and nothing else: Jinja2 scopes assignments to one iteration. Any other template
is rendered whole, every time (correct, only not cached).
"""

from __future__ import annotations

from typing import Any

from ..common.templating import LoadedTemplate

CONTEXT = frozenset({"header", "bracketed", "group_by_scope"})
PURE_GLOBALS = frozenset({"range", "dict", "cycler", "joiner", "namespace"})
IMPURE_FILTERS = frozenset({"random"})


def separable(template: LoadedTemplate) -> bool:
    """True when each release's part of the output is a function of that release alone (and
    of being first), so cached parts may be spliced (see the module docstring)."""
    from jinja2 import nodes

    env = template.template.environment
    try:
        source = env.loader.get_source(env, template.template.name)[0]
        tree = env.parse(source)
    except Exception:
        return False
    forbidden = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends, nodes.Macro,
                 nodes.CallBlock, nodes.Block, nodes.ContextReference, nodes.InternalName,
                 nodes.ExtensionAttribute, nodes.ImportedName)  # fmt: skip
    if any(True for _ in tree.find_all(forbidden)):
        return False
    if any(f.name in IMPURE_FILTERS for f in tree.find_all(nodes.Filter)):
        return False
    names = list(tree.find_all(nodes.Name))
    if any(n.name == "lipsum" for n in names) or sum(n.name == "releases" for n in names) != 1:
        return False
    loops = [
        n
        for n in tree.body
        if isinstance(n, nodes.For) and isinstance(n.iter, nodes.Name) and n.iter.name == "releases"
    ]
    if len(loops) != 1:
        return False
    loop = loops[0]
    if loop.else_ or loop.test is not None or loop.recursive:
        return False
    if not isinstance(loop.target, nodes.Name):
        return False
    stored = {n.name for n in loop.find_all(nodes.Name) if n.ctx in ("store", "param")}
    if stored & (set(env.globals) | CONTEXT | {"releases", "loop"}):
        return False  # a name that shadows a global is read before it is set: not local
    allowed = stored | CONTEXT | PURE_GLOBALS
    return all(_reads_only(child, allowed, outer=True) for child in loop.body)


def _reads_only(node: Any, allowed: frozenset[str] | set[str], *, outer: bool) -> bool:
    """Whether ``node`` reads only ``allowed`` names and, in the releases loop itself
    (``outer``), ``loop`` only as ``loop.first`` (the others look at other releases)."""
    from jinja2 import nodes

    loop_attribute = isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name)
    if outer and loop_attribute and node.node.name == "loop":
        return bool(node.attr == "first")
    if isinstance(node, nodes.Name):
        if node.ctx != "load":
            return True
        if node.name == "loop":
            return not outer
        return node.name in allowed
    if isinstance(node, nodes.For):  # its body's `loop` is its own; iter, test, else are ours
        heads = [node.target, node.iter, *([node.test] if node.test is not None else [])]
        return all(_reads_only(c, allowed, outer=outer) for c in [*heads, *node.else_]) and all(
            _reads_only(c, allowed, outer=False) for c in node.body
        )
    return all(_reads_only(c, allowed, outer=outer) for c in node.iter_child_nodes())
