#!/usr/bin/env bash
# capture.sh - record, byte for byte, how a real ZooKeeper 3.8 (Debian's
# zookeeper 3.8.0 package) answers four-letter words on its client port,
# as a leader, a follower, an observer, a LOOKING server, and with a
# restricted whitelist. See README.md for what each file holds.
#
# Usage: capture.sh [BASE]   (default BASE 23000; uses BASE..BASE+300 and
#                             BASE+1000..BASE+1300 on 127.0.0.1)
# Writes into the directory holding this script. Every Java server is
# started and stopped with zk-ensemble.sh, which signals only the pids it
# recorded.
set -u -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ENS=${ZK_ENSEMBLE:-/work/shared/zk-reference/zk-ensemble.sh}
BASE=${1:-23000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/zk4lw.XXXXXX")
DIRS=()

cleanup() {
  local d
  for d in ${DIRS[@]+"${DIRS[@]}"}; do "$ENS" stop -d "$d" >/dev/null 2>&1; done
}
trap cleanup EXIT

# ask PORT NAME OUT: send the bytes NAME stands for (see bytes_of) and
# store the raw answer, up to the server's close, in OUT.
ask() {
  local port=$1 word=$2 out=$3 fd
  exec {fd}<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf "$(bytes_of "$word")" >&"$fd"
  timeout 5 cat <&"$fd" >"$out"
  exec {fd}<&-
}

# bytes_of NAME: a printf format for what is sent. Most names are the word
# itself (no newline); "telnetclose" is the telnet close sequence ZooKeeper
# knows as a command (0xfff4fffd); "stmk" carries its 8-byte trace mask
# (0x1f2 = 498); "gtmk2" is gtmk asked again after stmk; "srvrnl" is what
# `echo srvr | nc` sends.
bytes_of() {
  case $1 in
    telnetclose) printf '%s' '\xff\xf4\xff\xfd' ;;
    stmk) printf '%s' 'stmk\x00\x00\x00\x00\x00\x00\x01\xf2' ;;
    gtmk2) printf '%s' 'gtmk' ;;
    srvrnl) printf '%s' 'srvr\n' ;;
    *) printf '%s' "$1" ;;
  esac
}

# Names asked of every server: every word ZooKeeper 3.8 knows, an unknown
# word, an upper-case known one, srvr with a newline; the ones that change
# state (crst, srst, stmk) last.
WORDS=(srvr stat ruok conf mntr isro envi dirs cons wchs wchc wchp dump gtmk hash abcd SRVR srvrnl telnetclose crst srst stmk gtmk2)

capture_all() { # PREFIX PORT
  local w
  for w in "${WORDS[@]}"; do ask "$2" "$w" "$HERE/$1-$w.txt"; done
}

# Poll srvr until it names MODE (or "not" for not serving).
wait_mode() { # PORT PATTERN
  local i out
  for i in $(seq 600); do
    out=$( { exec 3<>"/dev/tcp/127.0.0.1/$1" && printf srvr >&3 && timeout 2 cat <&3; } 2>/dev/null)
    [[ $out == *"$2"* ]] && return 0
    sleep 0.1
  done
  echo "server on port $1 never reported '$2'" >&2
  return 1
}

# --- 1. three participants and one Java observer, whitelist *
D1=$WORK/ens; DIRS+=("$D1")
obs="127.0.0.1:$((BASE + 104)):$((BASE + 204)):observer"
"$ENS" start -d "$D1" -n 3 -b "$BASE" -x "4=$obs" -c '4lw.commands.whitelist=*' >&2 || exit 1
# Server 4 is an observer: same config, its own id, port and dataDir, and
# peerType=observer; then it joins the recorded ensemble as a Java server.
mkdir -p "$D1/s4/data"; echo 4 >"$D1/s4/data/myid"
sed -e "s#^dataDir=.*#dataDir=$D1/s4/data#" -e "s#^clientPort=.*#clientPort=$((BASE + 4))#" \
  "$D1/s1/zoo.cfg" >"$D1/s4/zoo.cfg"
echo "peerType=observer" >>"$D1/s4/zoo.cfg"
sed -i -e "s/^IDS=.*/IDS='1 2 3 4'/" -e 's/^EXTRA=.*/EXTRA=()/' "$D1/ensemble.env"
"$ENS" start-one 4 -d "$D1" >&2 || exit 1
wait_mode $((BASE + 4)) "Mode: observer" || exit 1
leader=$("$ENS" leader -d "$D1") || exit 1
follower=""
for id in 1 2 3; do [[ $id != "$leader" ]] && { follower=$id; break; }; done
capture_all leader $((BASE + leader))
capture_all follower $((BASE + follower))
capture_all observer $((BASE + 4))
for id in 1 2 3 4; do cp "$D1/s$id/zoo.cfg" "$HERE/ens-s$id-zoo.cfg"; done
echo "leader=$leader follower=$follower observer=4 base=$BASE dir=$D1" >"$HERE/roles.txt"

# --- 2. one server of three started: it stays LOOKING
B2=$((BASE + 1000))
D2=$WORK/looking; DIRS+=("$D2")
"$ENS" start -d "$D2" -i 1 -x 2 -x 3 -b "$B2" -c '4lw.commands.whitelist=*' --no-wait >&2 || exit 1
wait_mode $((B2 + 1)) "not currently serving" || exit 1
capture_all looking $((B2 + 1))
cp "$D2/s1/zoo.cfg" "$HERE/looking-zoo.cfg"
"$ENS" stop -d "$D2" >&2

# --- 3. the default-style whitelist (srvr plus ruok) on a serving ensemble
"$ENS" stop -d "$D1" >&2
B3=$((BASE + 500))
D3=$WORK/restricted; DIRS+=("$D3")
"$ENS" start -d "$D3" -n 3 -b "$B3" -c '4lw.commands.whitelist= ruok , srvr' >&2 || exit 1
capture_all restricted $((B3 + 1))
cp "$D3/s1/zoo.cfg" "$HERE/restricted-zoo.cfg"
# Its role, which the test's snapshot needs (srvr always answers).
restricted_mode=$(grep -o 'Mode: [a-z]*' "$HERE/restricted-srvr.txt")
echo "restricted=${restricted_mode#Mode: }" >>"$HERE/roles.txt"
D4=$WORK/restricted-looking; DIRS+=("$D4")
"$ENS" stop -d "$D3" >&2
"$ENS" start -d "$D4" -i 1 -x 2 -x 3 -b "$B3" -c '4lw.commands.whitelist= ruok , srvr' --no-wait >&2 || exit 1
wait_mode $((B3 + 1)) "not currently serving" || exit 1
capture_all restricted-looking $((B3 + 1))
cp "$D4/s1/zoo.cfg" "$HERE/restricted-looking-zoo.cfg"
echo "captured into $HERE (work dir $WORK)" >&2
