# Two commands on a fresh Linux machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test bench screenshot clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.stamp-run: pyproject.toml | $(PY)
	@echo "Installing Backprop Studio and its packages into $(VENV) (the first time takes about half a minute)"
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml | $(PY)
	@echo "Installing Backprop Studio with its test packages into $(VENV) (the first time takes about half a minute)"
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.stamp-bench: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

run: $(VENV)/.stamp-run
	$(PY) main.py

test: $(VENV)/.stamp-test
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# OpenBLAS may be pinned to an older kernel on this machine (OPENBLAS_CORETYPE) for safety; the
# benchmark measures every peer with the kernel the CPU really has. Tests and CI keep the pin.
bench: $(VENV)/.stamp-bench
	@$(PY) -c "import torch" 2>/dev/null || echo "PyTorch peer not installed: $(PY) -m pip install torch==2.13.0"
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE QT_QPA_PLATFORM=offscreen $(PY) -m bench

screenshot: $(VENV)/.stamp-test
	QT_QPA_PLATFORM=offscreen $(PY) -m bench.screenshot docs/screenshot.png

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
