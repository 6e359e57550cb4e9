"""House rules a linter does not check: public functions with many arguments say what each one is."""

import ast
import re
from pathlib import Path

LIB = Path(__file__).resolve().parents[1] / "lib" / "gtebench"
MAX_UNLISTED = 3  # up to three arguments may be self-explanatory; beyond that the docstring names each one


def _public_functions(tree: ast.Module):
    """Module-level public functions and public methods of public classes."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("_"):
                    yield f"{node.name}.{item.name}", item


def _arguments(function: ast.FunctionDef) -> list[str]:
    args = function.args
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    return [n for n in names if n not in ("self", "cls")]


def _missing_from(doc: str, arguments: list[str]) -> list[str]:
    """Arguments whose name does not appear in the docstring as a whole word."""
    return [a for a in arguments if not re.search(rf"\b{re.escape(a)}\b", doc)]


def undocumented_arguments() -> list[str]:
    problems = []
    for path in sorted(LIB.rglob("*.py")):
        for name, function in _public_functions(ast.parse(path.read_text(encoding="utf-8"))):
            arguments = _arguments(function)
            if len(arguments) <= MAX_UNLISTED:
                continue
            doc = ast.get_docstring(function) or ""
            missing = _missing_from(doc, arguments)
            if missing:
                problems.append(f"{path.relative_to(LIB.parent)}:{function.lineno} {name}: {missing}")
    return problems


def test_public_functions_with_more_than_three_arguments_name_them_in_the_docstring():
    problems = undocumented_arguments()
    assert not problems, "arguments not named in the docstring:\n" + "\n".join(problems)


def test_the_rule_catches_an_undocumented_argument(tmp_path):
    tree = ast.parse('def f(a, b, c, d):\n    """Uses a, b and c."""\n')
    (name, function), = _public_functions(tree)
    doc = ast.get_docstring(function)
    assert _missing_from(doc, _arguments(function)) == ["d"]
    assert _missing_from("Uses a, b, c and d.", _arguments(function)) == []
