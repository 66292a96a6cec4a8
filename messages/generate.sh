#!/usr/bin/env bash
# Generates messages/*.pb.go from messages/*.proto.
#
#   messages/generate.sh [OUTDIR]   (default OUTDIR: the messages directory)
#
# protoc-gen-go is built from google.golang.org/protobuf at the version go.mod
# pins, so the generated code always matches the runtime it links against;
# protoc itself is the system one (Debian's protobuf-compiler). go:generate in
# doc.go runs this script; check-generated.sh runs it into a temp dir.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

command -v protoc >/dev/null 2>&1 || {
  echo "generate.sh: protoc not found (apt-get install protobuf-compiler)" >&2
  exit 1
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Build inside the module so go.mod/go.sum decide the plugin's version.
(cd "$here/.." && go build -o "$tmp/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go)

# Sorted, repo-relative names keep the output independent of the caller's cwd.
cd "$here"
protos=(*.proto)
protoc \
  --plugin=protoc-gen-go="$tmp/protoc-gen-go" \
  --proto_path=. \
  --go_out="$out" \
  --go_opt=paths=source_relative \
  "${protos[@]}"
