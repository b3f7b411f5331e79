"""The package's shape: imports go one way through the layers below, none sits inside a function (but
torch, IPython, transformers and pandas, which are heavy or optional), there is no import cycle, and no source
file passes 400 lines. scipy (attention flow's max-flow, not a dependency) is imported inside the one
function that needs it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "attnscope"

#: each layer imports only itself and the layers before it
LAYERS = [
    ("attnscope._frontend", "attnscope._version", "attnscope.constants", "attnscope.progress"),  # leaves
    ("attnscope.data",),  # Section, sources, blocks: the vocabulary every layer shares
    ("attnscope.inputs",),  # every check of user input; arguments -> [Section]
    ("attnscope.analysis",),  # pooling, summary, head statistics
    ("attnscope.wire",),  # codec, widget state, messages
    ("attnscope.output",),  # offline page, static picture
    ("attnscope.widget",),  # the widgets
    ("attnscope.extract",),  # from_model, hooks, Attentions
    ("attnscope.api", "attnscope.neuron_view", "attnscope.validation", "attnscope"),  # entry points
]
INNER_ALLOWED = {"torch", "IPython", "transformers", "scipy", "pandas"}  # pandas: optional, for DataFrames
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    for i, prefixes in enumerate(LAYERS):
        if any(module == p or (p != "attnscope" and module.startswith(p + ".")) for p in prefixes):
            return i
    raise AssertionError(f"{module} is in no layer of tests/test_layout.py: add it")


def imports(module: str):
    """(imported module, line, inside a function or block) of every import in ``module``."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            names = subs or [base]
        else:
            continue
        for name in names:
            yield name, node.lineno, id(node) not in top


def own(name: str):
    """The package module ``name`` is (or belongs to), else None."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_imports_go_down_the_layers_only():
    upward = [f"{m}:{line} imports {own(n)} (layer {layer_of(own(n))} above {layer_of(m)})"
              for m in MODULES for n, line, _ in imports(m) if own(n) and layer_of(own(n)) > layer_of(m)]
    assert upward == []


def test_no_import_inside_a_function_but_torch_ipython_transformers_scipy():
    inner = [f"{m}:{line} imports {n} inside a function or block" for m in MODULES
             for n, line, nested in imports(m) if nested and n.split(".")[0] not in INNER_ALLOWED]
    assert inner == []


def test_no_import_cycle():
    edges = {m: {own(n) for n, _, _ in imports(m) if own(n) and own(n) != m} for m in MODULES}
    state, cycles = {}, []

    def visit(m, path):
        state[m] = "open"
        for n in sorted(edges[m]):
            if state.get(n) == "open":
                cycles.append(" -> ".join(path[path.index(n):] + [n]))
            elif n not in state:
                visit(n, path + [n])
        state[m] = "done"

    for m in MODULES:
        if m not in state:
            visit(m, [m])
    assert cycles == []


@pytest.mark.parametrize("folder", ["attnscope", "tests"])
def test_no_source_file_passes_400_lines(folder):
    long = {str(p.relative_to(ROOT)): n for p in sorted((ROOT / folder).rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_checks_can_fail(tmp_path):
    """The walk sees what it must: an upward import and one inside a function (a made-up module)."""
    fake = tmp_path / "_layout_probe.py"
    fake.write_text("from ..widget import base\n\n\ndef f():\n    from ..inputs import limits\n", encoding="utf-8")
    try:
        MODULES["attnscope.data._layout_probe"] = fake
        found = list(imports("attnscope.data._layout_probe"))
        assert ("attnscope.widget.base", 1, False) in found and ("attnscope.inputs.limits", 5, True) in found
        assert layer_of(own("attnscope.widget.base")) > layer_of("attnscope.data._layout_probe")
    finally:
        del MODULES["attnscope.data._layout_probe"]
        fake.unlink()
