# Shared by bench/run and bench/profile: installs what the benchmarks need, builds streamer.
# Sourced, not run. Sets BENCH_PYTHON.

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$bench_dir/../scripts/deps.sh"   # install_deps (Debian packages) and build

# bench_setup [command:Debian-package...]  (extra tools, e.g. perf:linux-perf)
bench_setup() {
  # wrk drives the load; node/npm run dynalite; python3 runs the harness. Checked by command,
  # not by package: node and npm may come from elsewhere (a Debian npm would conflict).
  local wanted=() tool
  for tool in wrk:wrk node:nodejs npm:npm python3:python3 "$@"; do
    command -v "${tool%%:*}" >/dev/null || wanted+=("${tool#*:}")
  done
  install_deps "${wanted[@]}"
  # streamer: the release binary, unless STREAMER_BIN names one.
  if [ -z "${STREAMER_BIN:-}" ]; then
    build "$STREAMER_ROOT/build/release" Release -- streamer
  fi
  # dynalite from npm into bench/node_modules (versions pinned by package-lock.json).
  if [ ! -f "$bench_dir/node_modules/dynalite/cli.js" ]; then
    echo "Installing dynalite into bench/node_modules"
    (cd "$bench_dir" && npm ci --no-audit --no-fund --silent)
  fi
  # A python3 that has moto's server (the machine image's); Debian's first on PATH may not.
  # Without one, the harness says so and skips only moto's column.
  BENCH_PYTHON=""
  for candidate in "$(command -v python3 || true)" "$HOME/.pyenv/shims/python3" \
                   /usr/local/bin/python3 /usr/bin/python3; do
    if [ -x "$candidate" ] && "$candidate" -c 'import moto.server' 2>/dev/null; then
      BENCH_PYTHON="$candidate"; break
    fi
  done
  [ -n "$BENCH_PYTHON" ] || BENCH_PYTHON="$(command -v python3)"
}
