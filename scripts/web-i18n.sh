#!/usr/bin/env bash
# Refresh the web interface's translations: extract the messages from the code and templates,
# merge them into each language's .po file, and compile the .mo files the app loads.
# Messages come from this package, from the account pages of ../access (log in, sign up,
# password reset) and from the match reasons of ../matching (phrases marked N_), read with the
# same babel.cfg: its patterns are relative to each folder; the exchanges' refusals a page
# shows come from ../exchanges.
# Translators edit src/sidestream/web/locale/<lang>/LC_MESSAGES/messages.po, then run this.
set -euo pipefail
cd "$(dirname "$0")/../src/sidestream/web"
pybabel() { ../../../.venv/bin/pybabel "$@" 2>/dev/null; }
pybabel extract -F babel.cfg -k N_ --no-location --sort-output --project=Sidestream \
  --copyright-holder="Sidestream contributors" -o locale/messages.pot . ../access ../matching \
  ../exchanges
for lang in da sv nb sl; do
  if [ -f "locale/$lang/LC_MESSAGES/messages.po" ]; then
    pybabel update --ignore-obsolete -i locale/messages.pot -d locale -l "$lang"
  else
    pybabel init -i locale/messages.pot -d locale -l "$lang"
  fi
done
pybabel compile -d locale
