# Shared by scripts/run and scripts/test: install what is missing, build.
# Sourced, not run.

STREAMER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages the build and the tests need.
STREAMER_DEB_PACKAGES=(
  g++ cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  librocksdb-dev libyaml-cpp-dev libcli11-dev libssl-dev libre2-dev zlib1g-dev libzip-dev
  libgtest-dev
  rocksdb-tools  # ldb: tests edit a stopped server's data directory (test_storage_format)
  make xz-utils  # npm's aws-lambda-ric (tests/lambda_ric) builds its native client from bundled sources
  # The VTL oracle (tests/vtl_oracle) renders templates with Apache Velocity 1.7 on a JDK
  velocity libcommons-collections3-java libcommons-lang-java default-jdk-headless
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_deps() {
  local missing=()
  for p in "${STREAMER_DEB_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# build DIR BUILD_TYPE [extra cmake args...] -- TARGETS...
build() {
  local dir="$1" type="$2"; shift 2
  local cmake_args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do cmake_args+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  cmake -S "$STREAMER_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "${cmake_args[@]}" >/dev/null
  ninja -C "$dir" "$@"
}
