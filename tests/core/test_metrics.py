import numpy as np
import pytest

from core.metrics import accuracy, confusion_matrix, per_class, regression_report


def test_confusion_matrix_and_per_class_by_hand():
    # true:  a a a b b c      predicted: a a b b c c
    eye = np.eye(3)
    targets = eye[[0, 0, 0, 1, 1, 2]]
    outputs = eye[[0, 0, 1, 1, 2, 2]] * 0.8 + 0.05
    cm = confusion_matrix(outputs, targets)
    assert cm.tolist() == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert cm.sum() == 6
    report = per_class(cm)
    np.testing.assert_allclose(report.precision, [1.0, 0.5, 0.5])
    np.testing.assert_allclose(report.recall, [2 / 3, 0.5, 1.0])
    np.testing.assert_allclose(report.f1, [0.8, 0.5, 2 / 3])
    assert report.support.tolist() == [3, 2, 1]
    assert accuracy(outputs, targets) == pytest.approx(4 / 6)


def test_binary_single_column():
    targets = np.array([[0.0], [1.0], [1.0], [0.0]])
    outputs = np.array([[0.2], [0.7], [0.4], [0.6]])
    assert confusion_matrix(outputs, targets).tolist() == [[1, 1], [1, 1]]
    assert accuracy(outputs, targets) == 0.5


def test_regression_report_in_original_units():
    targets = np.array([[0.0], [1.0], [2.0]])
    outputs = np.array([[0.0], [1.0], [3.0]])
    r = regression_report(outputs, targets, inverse=lambda v: v * 10 + 5)   # un-scaling ×10
    assert r["rmse"] == pytest.approx(np.sqrt(100 / 3))
    assert r["mae"] == pytest.approx(10 / 3)
    assert r["r2"] == pytest.approx(1 - 100 / 200)
