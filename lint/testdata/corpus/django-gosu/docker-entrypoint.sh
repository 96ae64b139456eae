#!/bin/sh
set -e
chown -R django:django /srv/app/media
exec gosu django "$@"
