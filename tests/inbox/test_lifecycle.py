"""The lifecycle: inbox runs named steps; protocols and teams listen without inbox importing them."""

import ast
from pathlib import Path

from inbox import lifecycle
from inbox.lifecycle import Step

ROOT = Path(__file__).resolve().parents[2]


def test_protocols_and_teams_registered_their_hooks():
    names = {step: [f"{h.__module__}.{h.__name__}" for h in lifecycle.hooks(step)] for step in Step}
    assert names[Step.RECEIVED] == ["protocols.hooks.on_received"]
    assert names[Step.CLASSIFIED] == [
        "protocols.hooks.on_classified",
        "teams.hooks.on_classified",
        "reports.hooks.on_classified",
    ]
    assert "protocols.hooks.on_reply_check" in names[Step.REPLY_CHECK]
    # The report's hooks run after the protocol's, which record the SLA outcomes they read.
    assert names[Step.REPLIED] == ["protocols.hooks.on_replied", "reports.hooks.on_replied"]
    assert names[Step.RESOLVED] == ["protocols.hooks.on_resolved", "reports.hooks.on_resolved"]
    assert names[Step.REOPENED] == ["protocols.hooks.on_reopened", "reports.hooks.on_reopened"]


def test_registering_twice_calls_once():
    calls = []

    def hook(**kwargs):
        calls.append(kwargs)
        return "done"

    lifecycle.register(Step.ASSIGNED, hook)
    lifecycle.register(Step.ASSIGNED, hook)
    try:
        assert lifecycle.run(Step.ASSIGNED, conversation=None)[-1] == "done"
        assert len(calls) == 1
    finally:
        lifecycle._hooks[Step.ASSIGNED].remove(hook)


def test_inbox_imports_nothing_above_it():
    above = ("protocols", "teams", "listening", "reports", "demo")
    found = []
    for path in (ROOT / "inbox").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in above:
                found.append(f"{path.relative_to(ROOT)}: {node.module}")
    assert found == []
