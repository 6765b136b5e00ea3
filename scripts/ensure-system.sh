#!/usr/bin/env bash
# What casegraph needs from the machine, for the make targets named as arguments:
#
#   scripts/ensure-system.sh [install] [test] [test-unit] [demo] [load] [schemathesis] [neo4j-build]
#
#   always (make install)  Python >= 3.11 with venv, Node.js and npm (the web assets)
#   demo, schemathesis,    + a JDK >= 21 (Neo4j 2026.x) and Maven (neo4j-local's classpath)
#     neo4j-build
#   test                   + Debian's chromium (the web tests) and Node.js >= 20.19
#   test-unit              + Node.js >= 20.19 (`node --test` of the page's modules)
#   load                   + wrk (the load bench)
#
# Debian packages that are missing are installed when running as root (apt-get update, then
# apt-get install -y); otherwise the script stops, before anything is built or run, with the
# one command to run. A JDK >= 21 is not a Debian 12 package: when none is found the script
# says where to get one. Nothing is printed when everything is there.
#
# The Makefile runs this before every target that builds or runs something; .ci/run runs it
# for `test` first. PYTHON, VENV and GOALS (for the message) come from the Makefile.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
CHROMIUM=/usr/bin/chromium   # the path tests/browser_support.py launches
MIN_JAVA=21

need_neo4j=0 need_chromium=0 need_new_node=0 need_wrk=0
for purpose in "$@"; do
  case "$purpose" in
    install) ;;
    demo | schemathesis | neo4j-build) need_neo4j=1 ;;
    test) need_neo4j=1 need_chromium=1 need_new_node=1 ;;
    test-unit) need_new_node=1 ;;
    load) need_neo4j=1 need_wrk=1 ;;
    *) echo "ensure-system: unknown purpose '$purpose'" >&2; exit 2 ;;
  esac
done

packages=()   # Debian packages to install
problems=()   # what no Debian package fixes here

have() { command -v "$1" >/dev/null 2>&1; }

# -- Python (only to create the virtualenv: once it exists, it is what runs)
if [ ! -x "$VENV/bin/python" ]; then
  if ! have "$PYTHON"; then
    packages+=(python3 python3-venv)
  elif ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    problems+=("Python >= 3.11 is needed to create $VENV; $PYTHON is $("$PYTHON" -V 2>&1). Run make with PYTHON=python3.11 (or newer).")
  elif ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    packages+=(python3-venv)
  fi
fi

# -- Node.js and npm (the vendored web assets; `node --test` of the page's modules).
# Install only what is missing: a Node.js from NodeSource ships its own npm, and Debian's npm
# package would try to replace that Node.js.
if ! have npm; then
  if have node; then packages+=(npm); else packages+=(nodejs npm); fi
fi
if [ "$need_new_node" = 1 ] && have node &&
   ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
              process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null; then
  problems+=("Node.js >= 20.19 is needed (it loads the page's .js files as ES modules); node is $(node --version). Install a newer one, e.g. from https://nodejs.org or NodeSource.")
fi

# -- A JDK >= 21 and Maven (neo4j-local); found where casegraph.local_neo4j.find_java looks
java_version() {  # the feature version of the JDK at $1 (17, 21, 25 …), or nothing
  local home=$1 v=""
  [ -x "$home/bin/java" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9.]*\).*/\1/p' "$home/release")
  fi
  if [ -z "$v" ]; then
    v=$({ "$home/bin/java" -version 2>&1 || true; } | sed -n 's/.*version "\([0-9.]*\).*/\1/p' | head -1)
  fi
  case "$v" in 1.*) v=${v#1.} ;; esac
  echo "${v%%.*}"
}
find_jdk() {  # prints the home of a JDK >= MIN_JAVA; fails when there is none
  local home v
  if [ -n "${CASEGRAPH_JAVA_HOME:-}" ]; then
    v=$(java_version "$CASEGRAPH_JAVA_HOME")
    [ -n "$v" ] && [ "$v" -ge "$MIN_JAVA" ] && { echo "$CASEGRAPH_JAVA_HOME"; return 0; }
    return 1  # set but unusable: an error, as in find_java
  fi
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for home in /usr/lib/jvm/*; do
    [ -d "$home" ] && [ ! -L "$home" ] && candidates+=("$home")
  done
  if have java; then candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"); fi
  for home in "${candidates[@]}"; do
    v=$(java_version "$home")
    if [ -n "$v" ] && [ "$v" -ge "$MIN_JAVA" ]; then echo "$home"; return 0; fi
  done
  return 1
}
jdk_package() {  # a Debian JDK >= MIN_JAVA this machine's apt sources offer (not Debian 12)
  local v
  have apt-cache || return 1
  for v in 25 21; do
    if apt-cache show "openjdk-$v-jdk-headless" >/dev/null 2>&1; then
      echo "openjdk-$v-jdk-headless"; return 0
    fi
  done
  return 1
}
if [ "$need_neo4j" = 1 ]; then
  have mvn || packages+=(maven)
  if ! find_jdk >/dev/null; then
    if [ -n "${CASEGRAPH_JAVA_HOME:-}" ]; then
      problems+=("CASEGRAPH_JAVA_HOME=$CASEGRAPH_JAVA_HOME must be a JDK >= $MIN_JAVA (Neo4j 2026.x needs one).")
    elif pkg=$(jdk_package); then
      packages+=("$pkg")
    else
      problems+=("No JDK >= $MIN_JAVA found (Neo4j 2026.x needs one; looked at \$CASEGRAPH_JAVA_HOME, \$JAVA_HOME, /usr/lib/jvm/* and java on PATH). Install one, e.g. Temurin 25 from https://adoptium.net/installation/linux/ (it goes under /usr/lib/jvm), or set CASEGRAPH_JAVA_HOME to its home.")
    fi
  fi
fi

# -- Debian's chromium (driven by Playwright in the web tests) and wrk (the load bench)
[ "$need_chromium" = 1 ] && [ ! -x "$CHROMIUM" ] && packages+=(chromium)
[ "$need_wrk" = 1 ] && ! have wrk && packages+=(wrk)

# -- install, or stop with the one command to run
if [ ${#packages[@]} -gt 0 ]; then
  if ! have apt-get; then
    problems+=("Missing: ${packages[*]} (Debian package names); install them with your system's package manager.")
    packages=()
  elif [ "$(id -u)" = 0 ]; then
    echo "casegraph: installing the missing system packages: ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${packages[@]}" >/dev/null
    packages=()
  fi
fi
if [ ${#packages[@]} -gt 0 ] || [ ${#problems[@]} -gt 0 ]; then
  echo "casegraph: this machine is missing what \`make ${GOALS:-$*}\` needs; nothing was built or run." >&2
  if [ ${#packages[@]} -gt 0 ]; then
    echo "  Run:  sudo apt-get install -y ${packages[*]}" >&2
  fi
  for p in "${problems[@]}"; do echo "  $p" >&2; done
  exit 1
fi
