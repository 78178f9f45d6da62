"""The README's promises: two commands, and CI running exactly the test one."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    assert "./dev demo" in readme and "./dev test" in readme
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    assert ci.strip().splitlines()[-1] == "exec ./dev test"


def test_dev_script_runs_lint_types_and_tests() -> None:
    script = (REPO / "dev").read_text("utf-8")
    for step in ('ruff" check', "mypy", "pytest"):
        assert step in script


def test_every_chat_command_is_in_the_readme_and_in_help() -> None:
    from bot.core.commands import COMMANDS, help_text

    readme = (REPO / "README.md").read_text("utf-8").replace("\\|", "|")
    listed = help_text()
    for command in COMMANDS:
        assert f"`{command.usage}`" in readme, command.usage
        assert command.usage in listed
