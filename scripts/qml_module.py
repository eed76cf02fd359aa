"""Write the QML type description of the Python-registered ``Kiosk`` module, for qmllint.

The screens ``import Kiosk`` for the ``Theme`` singleton and the ``SignaturePad`` item, which
Python registers at run time (``QML_IMPORT_NAME = "Kiosk"`` and ``@QmlElement``). qmllint reads
only ``qmldir`` and ``.qmltypes`` files, so without them it cannot see the module and every
``Theme.x`` is an unknown name. This script finds every class that Python registers in the module
(the ``@QmlElement`` classes of ``kiosk/ui/*.py`` whose ``QML_IMPORT_NAME`` is ``Kiosk``), reads
their meta-objects as Qt sees them, and writes ``OUT/Kiosk/qmldir`` and
``OUT/Kiosk/kiosk.qmltypes``. The test suite writes them afresh on each run, so they cannot go
stale; nothing generated is committed.

    python scripts/qml_module.py OUT     # then: pyside6-qmllint -I OUT -I kiosk/ui/qml FILE.qml

(``pyside6-metaobjectdump`` would be the stock tool, but it cannot parse a ``Property`` whose type
is given as a string such as ``"QVariantMap"``; the meta-object Qt builds is the exact truth.)
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

from PySide6.QtCore import QMetaMethod, QMetaObject

ROOT = Path(__file__).resolve().parent.parent
MODULE = "Kiosk"
_DECORATORS = {"QmlElement", "QmlSingleton", "QmlUncreatable", "QmlNamedElement"}


def _qml_classes(path: Path) -> list[tuple[str, set[str]]]:
    """(class name, its Qml* decorators) for each registered class of one source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    import_name = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "QML_IMPORT_NAME" for t in node.targets
        ):
            import_name = ast.literal_eval(node.value)
    found = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        names = set()
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
            if name.startswith("Qml"):
                if name not in _DECORATORS:
                    raise SystemExit(f"{path}: {node.name}: @{name} is not handled here yet")
                names.add(name)
        if names:
            if import_name != MODULE:
                raise SystemExit(f"{path}: QML_IMPORT_NAME is {import_name!r}, not {MODULE!r}")
            if names & {"QmlNamedElement", "QmlUncreatable"}:
                raise SystemExit(f"{path}: {node.name}: write its export name/reason here first")
            found.append((node.name, names))
    return found


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _component(meta: QMetaObject, source: str, singleton: bool, major: int) -> list[str]:
    name = meta.className()
    lines = [
        "    Component {",
        f"        file: {_quote(source)}",
        f"        name: {_quote(name)}",
        '        accessSemantics: "reference"',
        f"        prototype: {_quote(meta.superClass().className())}",
        f"        exports: [{_quote(f'{MODULE}/{name} {major}.0')}]",
        f"        exportMetaObjectRevisions: [{major * 256}]",
    ]
    if singleton:
        lines += ["        isCreatable: false", "        isSingleton: true"]
    for i in range(meta.propertyOffset(), meta.propertyCount()):
        prop = meta.property(i)
        parts = [f"name: {_quote(prop.name())}", f"type: {_quote(prop.typeName())}"]
        if prop.hasNotifySignal():
            parts.append(f"notify: {_quote(prop.notifySignal().name().data().decode())}")
        if not prop.isWritable():
            parts.append("isReadonly: true")
        if prop.isConstant():
            parts.append("isConstant: true")
        parts.append(f"index: {i - meta.propertyOffset()}")
        lines.append("        Property { " + "; ".join(parts) + " }")
    for i in range(meta.methodOffset(), meta.methodCount()):
        method = meta.method(i)
        if method.access() != QMetaMethod.Access.Public:
            continue
        kind = "Signal" if method.methodType() == QMetaMethod.MethodType.Signal else "Method"
        head = [f"name: {_quote(method.name().data().decode())}"]
        if method.typeName() not in ("", "void"):
            head.append(f"type: {_quote(method.typeName())}")
        params = [bytes(t.data()).decode() for t in method.parameterTypes()]
        if not params:
            lines.append(f"        {kind} {{ " + "; ".join(head) + " }")
            continue
        lines.append(f"        {kind} {{")
        lines += [f"            {part}" for part in head]
        lines += [f"            Parameter {{ type: {_quote(t)} }}" for t in params]
        lines.append("        }")
    lines.append("    }")
    return lines


def write_module(out: Path) -> Path:
    """Write ``out/Kiosk/qmldir`` and ``out/Kiosk/kiosk.qmltypes``; return ``out``."""
    components: list[str] = []
    for path in sorted((ROOT / "kiosk" / "ui").glob("*.py")):
        classes = _qml_classes(path)
        if not classes:
            continue
        module = importlib.import_module(f"kiosk.ui.{path.stem}")
        major = int(module.QML_IMPORT_MAJOR_VERSION)
        for class_name, decorators in classes:
            meta = getattr(module, class_name).staticMetaObject
            components += _component(
                meta, path.relative_to(ROOT).as_posix(), "QmlSingleton" in decorators, major
            )
    if not components:
        raise SystemExit(f"no @QmlElement class of module {MODULE} found under kiosk/ui")
    target = out / MODULE
    target.mkdir(parents=True, exist_ok=True)
    text = ["import QtQuick.tooling 1.2", "", "Module {", *components, "}", ""]
    (target / "kiosk.qmltypes").write_text("\n".join(text), encoding="utf-8")
    (target / "qmldir").write_text(
        f"module {MODULE}\ntypeinfo kiosk.qmltypes\ndepends QtQuick\n", encoding="utf-8"
    )
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python scripts/qml_module.py OUT_DIR")
    sys.path.insert(0, str(ROOT))
    print(write_module(Path(sys.argv[1])) / MODULE)
