#!/bin/sh
# The NL Design System style sheets the pages use, copied from the packages installed from
# tools/package-lock.json into the API's static files, so the API serves them from its own
# origin (no CDN). One list, used by ./run and deploy/Dockerfile.
#   tools/vendor-css.sh <node_modules> <api/static/vendor>
set -eu
from=$1
to=$2
mkdir -p "$to"
cp "$from/@utrecht/component-library-css/dist/index.css" "$to/utrecht.css"
cp "$from/@utrecht/component-library-css/dist/html.css" "$to/utrecht-html.css"
cp "$from/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css" "$to/voorbeeld-theme.css"
