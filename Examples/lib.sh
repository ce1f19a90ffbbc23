# Shared by the worked examples' demo scripts (sourced, after `here` and `root` are set):
# evalguard built from the checkout, a scratch directory removed on exit with the server a
# script started, and a scratch repository.

swift build --package-path "$root" --product evalguard >/dev/null
evalguard="$(swift build --package-path "$root" --show-bin-path)/evalguard"

work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# await_port FILE [ERRFILE]: waits until the server started as $server writes "PORT <n>" to FILE,
# and prints n; if the server ends first, shows ERRFILE and exits 3.
await_port() {
  until grep -q '^PORT ' "$1" 2>/dev/null; do
    kill -0 "$server" 2>/dev/null || { [ -n "${2:-}" ] && cat "$2" >&2; exit 3; }
    sleep 0.05
  done
  sed -n 's/^PORT //p' "$1"
}

# lines FILE: how many lines FILE holds (0 when it does not exist): requests a server logged.
lines() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }

# scratch_repo DIR: a new git repository at DIR with .evals/ ignoring its results, entered.
scratch_repo() {
  mkdir -p "$1/.evals/cases"
  cd "$1"
  git init -q -b main
  git config user.email demo@example.com
  git config user.name demo
  printf 'results/\n' >.evals/.gitignore
}
