#!/usr/bin/env bash
# Run "$@" against a throwaway, unlocked GNOME keyring on the current D-Bus session bus.
# Meant to run as: dbus-run-session -- bash keyring_session.sh COMMAND...
# The caller points HOME and XDG_DATA_HOME at a temporary directory, so the "login" keyring
# created here is a new file there and no real keyring is read, unlocked or changed.
set -euo pipefail
: "${HOME:?}" "${XDG_DATA_HOME:?}" "${KEYRING_PASSWORD:?}"
mkdir -p "$XDG_DATA_HOME"
if [[ -n "${XDG_RUNTIME_DIR:-}" ]]; then
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
fi
# --unlock reads the password on stdin, creates the login keyring with it when there is none
# (and makes it the default collection), unlocks it, then daemonizes for the rest of this D-Bus
# session; dbus-run-session ends the bus, and with it the daemon, when COMMAND exits. Its stdout
# is the environment lines for a desktop session, not needed here: the secrets component is
# found on the bus.
printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
unset KEYRING_PASSWORD
exec "$@"
