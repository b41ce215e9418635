"""The README documents every command-line command and option and every setting (as datasette's docs tests
do): adding one without documenting it fails here."""

import re

from conftest import ROOT

from phm_profile import cli

README = (ROOT / "README.md").read_text()


def commands() -> dict[str, list[str]]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return {name: [o for a in p._actions for o in a.option_strings if o.startswith("--") and o != "--help"]
            for name, p in sub.choices.items()}


def test_every_command_and_option_is_in_the_readme():
    found = commands()
    assert {"demo", "validate", "build", "fetch", "profile", "export", "serve"} <= set(found)
    for name, options in found.items():
        lines = [line for line in README.splitlines() if re.search(rf"phm-profile {name}\b", line)]
        assert lines, f"the command {name} is not in the README"
        for option in options:
            assert any(option in line for line in lines), f"{name} {option} is not in the README"


def test_every_setting_is_in_the_readme():
    settings = set()
    for path in (ROOT / "src" / "phm_profile").rglob("*.py"):
        settings |= set(re.findall(r"environ\.get\(\"(PHM_[A-Z_]+)\"", path.read_text()))
    assert settings == {"PHM_DB", "PHM_USER_DIR", "PHM_SUPPRESSION"}
    for name in settings:
        assert f"`{name}`" in README, f"the setting {name} is not in the README"
