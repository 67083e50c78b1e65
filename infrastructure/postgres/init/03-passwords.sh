#!/usr/bin/env bash
# docker-compose: the postgres image sources this file (or runs it, if executable). It starts the
# real script as a child process, so nothing it does can leak into the entrypoint's shell.
bash /opt/conveyor/postgres/passwords.sh
