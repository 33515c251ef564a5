"""Command line (placeholder until the DSL lands)."""


def main(argv: list[str] | None = None) -> int:
    return 0
