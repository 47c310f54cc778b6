from tests.urlcases import Case, everyone, expect  # noqa: F401

CASES: list = []
