# Two commands do all set-up on a fresh machine:
#   make demo   creates .venv, installs Foleyline, runs `foleyline demo` (embedded engine, CPU, no weights)
#   make test   creates .venv, installs Foleyline with its test tools, runs the test suite
# Both first check the system libraries the wheels link (packaging/system-deps.sh): installed
# with apt-get when run as root, otherwise they stop with the one command to run.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The user's pip settings (PIP_* variables, pip.conf) reach this pip too, and an index or proxy
# there is wanted; a --user install is not: pip refuses it in a venv ("User site-packages are
# not visible in this virtualenv"), so PIP_USER=1 or `user = true` would stop every install.
VENV_PIP := PIP_USER=0 $(BIN)/python -m pip
DEMO_OUT ?= demo-out

.PHONY: demo test install system-deps bytecode stubs bench clean

system-deps:
	@PYTHON=$(PYTHON) sh packaging/system-deps.sh

$(STAMP): pyproject.toml setup.py constraints-dev.txt | system-deps
	$(PYTHON) -m venv $(VENV)
	$(VENV_PIP) install -q --upgrade pip
	# torch first, pinned: the CPU build on local disk. A looser spec pulls a multi-GB CUDA build.
	$(VENV_PIP) install -q torch==2.13.0
	$(VENV_PIP) install -q -c constraints-dev.txt -e ".[dev]"
	# Bytecode once, as a wheel install does: an editable install leaves every run compiling our
	# sources where PYTHONDONTWRITEBYTECODE is set (~0.2 s of a one-shot generate).
	$(BIN)/python -m compileall -q foleyline server plugin desktop protos
	touch $(STAMP)

install: $(STAMP)

# Sources changed since the install (a pull) compiled again: where PYTHONDONTWRITEBYTECODE is
# set nothing else writes them, and every run would compile them anew (~35 ms of start-up).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q foleyline server plugin desktop protos

demo: system-deps $(STAMP) bytecode
	$(BIN)/foleyline demo -o $(DEMO_OUT)

test: system-deps $(STAMP) bytecode
	QT_QPA_PLATFORM=offscreen OMP_NUM_THREADS=2 $(BIN)/python -m pytest

stubs: $(STAMP)
	$(BIN)/python -m foleyline.protos.generate

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache
