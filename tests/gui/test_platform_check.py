from gui import platform_check


def test_no_display_is_explained(monkeypatch):
    monkeypatch.setattr(platform_check.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    assert "No display" in platform_check.window_problem()


def test_missing_xcb_cursor_is_explained(monkeypatch):
    monkeypatch.setattr(platform_check.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(platform_check.ctypes.util, "find_library", lambda name: None)
    message = platform_check.window_problem()
    assert "libxcb-cursor.so.0 is missing" in message and "apt-get install libxcb-cursor0" in message


def test_missing_plugin_dependency_is_named(monkeypatch):
    monkeypatch.setattr(platform_check.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(platform_check.ctypes.util, "find_library", lambda name: "libxcb-cursor.so.0")

    def fake_cdll(path):
        raise OSError(f"{path}: libxcb-icccm.so.4: cannot open shared object file: No such file or directory")

    monkeypatch.setattr(platform_check.ctypes, "CDLL", fake_cdll)
    assert "libxcb-icccm.so.4 is missing" in platform_check.window_problem()


def test_offscreen_needs_nothing(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert platform_check.window_problem() is None
