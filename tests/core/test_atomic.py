"""core.atomic: a save completes or leaves the previous file untouched, and says why in one line."""

import errno
import os
import stat

import pytest

from core import atomic
from core.atomic import atomic_write, atomic_write_dir, atomic_write_text
from core.errors import ExportError


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".old")))


def test_writes_bytes_and_callable(tmp_path):
    target = tmp_path / "a.bin"
    assert atomic_write(target, b"hello") == target
    assert target.read_bytes() == b"hello"
    atomic_write(target, lambda f: f.write(b"again"))
    assert target.read_bytes() == b"again"
    atomic_write_text(tmp_path / "t.txt", "héllo")
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "héllo"
    assert _leftovers(tmp_path) == []


def test_keeps_permissions_of_replaced_file_and_umask_for_new(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    atomic_write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.txt"
    atomic_write_text(fresh, "x")
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask     # not mkstemp's private 0600


def test_parent_is_a_file(tmp_path):
    blocker = tmp_path / "plain_file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="is a file, not a folder"):
        atomic_write(blocker / "model.npz", b"data")


def test_missing_folder(tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        atomic_write(tmp_path / "nope" / "model.npz", b"data")


def test_target_is_a_folder(tmp_path):
    (tmp_path / "dir.npz").mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        atomic_write(tmp_path / "dir.npz", b"data")


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "Not enough disk space"),
                                         (errno.EROFS, "read-only"),
                                         (errno.EACCES, "no permission")])
@pytest.mark.parametrize("where", ["replace", "fsync", "write"])
def test_os_errors_keep_old_file_and_leave_nothing(tmp_path, monkeypatch, code, words, where):
    target = tmp_path / "model.npz"
    target.write_bytes(b"old content")

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    content = b"new content"
    if where == "replace":
        monkeypatch.setattr(atomic.os, "replace", fail)
    elif where == "fsync":
        monkeypatch.setattr(atomic.os, "fsync", fail)
    else:
        content = lambda handle: fail()          # noqa: E731 — the disk fills while writing
    with pytest.raises(ExportError, match=words) as info:
        atomic_write(target, content, what="the model")
    assert "\n" not in str(info.value)
    assert target.read_bytes() == b"old content"
    assert _leftovers(tmp_path) == []


def test_errors_from_content_propagate_and_clean_up(tmp_path):
    target = tmp_path / "x.json"

    def boom(handle):
        handle.write(b"partial")
        raise ValueError("not serialisable")

    with pytest.raises(ValueError):
        atomic_write(target, boom)
    assert not target.exists()
    assert _leftovers(tmp_path) == []


def test_dir_write_replaces_existing_folder(tmp_path):
    folder = tmp_path / "model"

    def fill(version):
        def _fill(tmp):
            (tmp / "a.csv").write_text(version)
            if version == "1":
                (tmp / "only_in_v1.csv").write_text("x")
        return _fill

    atomic_write_dir(folder, fill("1"))
    atomic_write_dir(folder, fill("2"))
    assert sorted(p.name for p in folder.iterdir()) == ["a.csv"]
    assert (folder / "a.csv").read_text() == "2"
    assert _leftovers(tmp_path) == []


def test_dir_write_failure_keeps_old_folder(tmp_path, monkeypatch):
    folder = tmp_path / "model"
    atomic_write_dir(folder, lambda tmp: (tmp / "a.csv").write_text("old"))

    def full(tmp):
        (tmp / "a.csv").write_text("new, partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ExportError, match="Not enough disk space"):
        atomic_write_dir(folder, full)
    assert (folder / "a.csv").read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_hook_sees_complete_temp_file(tmp_path, monkeypatch):
    seen = {}

    def hook(tmp):
        seen["content"] = tmp.read_bytes()
        seen["target_before"] = (tmp_path / "f").read_bytes()

    (tmp_path / "f").write_bytes(b"old")
    monkeypatch.setattr(atomic, "_before_replace", hook)
    atomic_write(tmp_path / "f", b"new")
    assert seen == {"content": b"new", "target_before": b"old"}
