#!/usr/bin/env bash
# Create the virtual environment (installing Debian's python3-venv first when root and it is missing),
# then install a requirements file into it.
set -euo pipefail
python=$1 venv=$2 requirements=$3
if [ ! -x "$venv/bin/python" ]; then
  if ! "$python" -m venv --help >/dev/null 2>&1 || ! "$python" -c "import ensurepip" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    else
      echo "Python's venv module is missing. Install it: sudo apt-get install python3-venv" >&2
      exit 1
    fi
  fi
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
