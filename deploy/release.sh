#!/bin/sh
# The release step, once per deploy or upgrade, before restarting the services
# (deploy/systemd/cpd-migrate.service runs the same): migrations never run on a
# service's start.
set -eu
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-cpd.settings.production}
PY=${PY:-.venv/bin/python}
"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput -v0
"$PY" manage.py compilemessages -v0 --ignore ".venv/*"
"$PY" manage.py check --deploy --fail-level WARNING
