"""Copies the settings tables of docs/OPERATIONS.md into README.md between its markers."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"


def settings_tables(operations: str) -> str:
    start = operations.index("## Settings")
    end = operations.index("\n## ", start + 1)
    body = operations[start:end].split("\n", 1)[1]
    return body.replace("\n### ", "\n#### ").strip()


def main() -> None:
    readme = (ROOT / "README.md").read_text()
    tables = settings_tables((ROOT / "docs" / "OPERATIONS.md").read_text())
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    (ROOT / "README.md").write_text(f"{head}{BEGIN}\n{tables}\n{END}{tail}")


if __name__ == "__main__":
    main()
