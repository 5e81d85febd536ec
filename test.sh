#!/usr/bin/env bash
# The README's test command. On a fresh Debian/Ubuntu machine it first installs what the tests
# need and is missing (a JDK, Maven, Prometheus and promtool, curl, openssl), then runs every
# unit and integration test: `mvn -B -ntp verify`. Extra arguments go to Maven, e.g.
#   ./test.sh -pl integration-tests -am -Dit.test=DashboardQueriesIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
set -euo pipefail
cd "$(dirname "$0")"

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
have javac || missing+=(openjdk-17-jdk-headless)
have mvn || missing+=(maven)
{ have promtool && have prometheus; } || missing+=(prometheus)
have curl || missing+=(curl)
have openssl || missing+=(openssl)

if [ "${#missing[@]}" -gt 0 ]; then
  if ! have apt-get; then
    echo "test.sh: missing ${missing[*]} (Debian package names); install them and run again" >&2
    exit 1
  fi
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  echo "test.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

for tool in javac mvn promtool prometheus curl openssl; do
  have "$tool" || { echo "test.sh: $tool is still missing after the installation" >&2; exit 1; }
done

exec mvn -B -ntp verify "$@"
