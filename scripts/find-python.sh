#!/usr/bin/env bash
# Prints the path of a working Python >= 3.12, or explains what to install and exits 1.
# Every candidate is actually run: a pyenv shim can exist on PATH and still fail.
set -u

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for name in python3.13 python3.12; do
    if path=$(command -v "$name" 2>/dev/null); then candidates+=("$path"); fi
done
for path in "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3 \
            /usr/bin/python3.13 /usr/bin/python3.12 /usr/local/bin/python3.13 /usr/local/bin/python3.12; do
    [ -x "$path" ] && candidates+=("$path")
done
if path=$(command -v python3 2>/dev/null); then candidates+=("$path"); fi

for c in "${candidates[@]}"; do
    if "$c" -c 'import sys, venv; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; then
        "$c" -c 'import sys; print(sys.executable)'
        exit 0
    fi
done

cat >&2 <<'MSG'
Shkola needs Python 3.12 or 3.13: install python3.13 (apt install python3.13 python3.13-venv,
or pyenv install 3.13) and run make again. Tried: python3.13, python3.12 on PATH,
~/.pyenv/versions/3.1[23]*/bin/python3, /usr/bin and /usr/local/bin; set PYTHON=/path/to/python3.13
to use another one.
MSG
exit 1
