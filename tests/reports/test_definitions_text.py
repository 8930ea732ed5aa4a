from pathlib import Path

from reports.definitions import DEFINITIONS


def test_the_readme_states_the_definitions_the_code_holds():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert DEFINITIONS in readme
