"""termsheet token and termsheet serve from the command line."""

from __future__ import annotations

import json
import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "termsheet", *map(str, args)],
                          capture_output=True, text=True)


def test_token_add_list_remove(tmp_path):
    access = tmp_path / "access.yaml"
    added = run("token", "add", "desk", "--admin", "--access", access, "--json")
    assert added.returncode == 0, added.stderr
    token = json.loads(added.stdout)["token"]
    assert token.startswith("ts_") and token not in access.read_text()
    assert run("token", "add", "ms", "--party", "microsoft", "--access", access).returncode == 0
    listed = json.loads(run("token", "list", "--access", access, "--json").stdout)
    assert [(t["name"], t["role"], t["party"]) for t in listed] == [
        ("desk", "admin", None), ("ms", "party", "microsoft")]
    assert run("token", "remove", "ms", "--access", access).returncode == 0
    assert run("token", "remove", "ms", "--access", access).returncode == 1
    both = run("token", "add", "x", "--admin", "--party", "openai", "--access", access)
    assert both.returncode == 2


def test_serve_refuses_an_open_server_off_loopback(tmp_path, flagship_dir):
    result = run("serve", "--agreements", flagship_dir, "--host", "0.0.0.0")
    assert result.returncode == 2
    assert "refusing to serve an open server on 0.0.0.0" in result.stderr
    missing = run("serve", "--agreements", flagship_dir, "--access", tmp_path / "nope.yaml")
    assert missing.returncode == 2 and "no access file" in missing.stderr


def test_serve_on_a_bad_folder_is_positioned_problems(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "v.md").write_text("---\nagreement: a\n---\n")
    result = run("serve", "--agreements", tmp_path, "--port", "0")
    assert result.returncode == 1
    assert "E021" in result.stderr and "Traceback" not in result.stderr
