"""The lock files pin every package with hashes, on the pins of the top-level files."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def _name(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path):
    return {_name(name): version for name, version in PIN.findall(path.read_text())}


def _entries(path):
    """{package: (version, number of hashes)} of a pip-compile lock file."""
    entries = {}
    for block in re.split(r"\n(?=\S)", path.read_text()):
        match = PIN.match(block)
        if match:
            entries[_name(match[1])] = (match[2], block.count("--hash=sha256:"))
    return entries


@pytest.mark.parametrize(
    "source, lock",
    [
        ("requirements.txt", "requirements.lock"),
        ("requirements-ldap.txt", "requirements-ldap.lock"),
        ("requirements-dev.txt", "requirements-dev.lock"),
    ],
)
def test_every_top_level_pin_is_locked_with_hashes(source, lock):
    wanted = _pins(ROOT / source)
    if source == "requirements-dev.txt":
        wanted |= _pins(ROOT / "requirements.txt")  # its -r requirements.txt
    entries = _entries(ROOT / lock)
    assert len(wanted) >= 2
    # `make lock` after changing a requirements file.
    assert {name: entries.get(name, (None,))[0] for name in wanted} == wanted
    assert [name for name, (_version, hashes) in entries.items() if hashes == 0] == []


def test_the_locks_agree_on_every_shared_package():
    runtime = _entries(ROOT / "requirements.lock")
    for lock in ("requirements-ldap.lock", "requirements-dev.lock"):
        other = _entries(ROOT / lock)
        shared = set(runtime) & set(other)
        assert shared
        assert {n: other[n][0] for n in shared} == {n: runtime[n][0] for n in shared}


def test_the_image_ci_and_make_install_use_the_locks_with_hashes():
    for path in ("scripts/build-production", "scripts/install-deps"):
        text = (ROOT / path).read_text()
        assert "--require-hashes" in text
        assert "requirements.txt" not in text
    assert "scripts/build-production deps" in (ROOT / "Dockerfile").read_text()
