#!/usr/bin/env bash
# capture-quorum.sh - capture the QUORUM-port traffic (leader <-> learner,
# Zab discovery, sync and heartbeats) of a real ZooKeeper 3.8 ensemble on
# 127.0.0.1 with tcpdump, for the quorum-port golden tests
# (netbridge/quorumwire) and zab's replays.
#
# Scenario (3 participants, ids 1..3, plus one observer, id 4):
#   1. a fresh ensemble elects and runs discovery in epoch 1
#      (FOLLOWERINFO / OBSERVERINFO, LEADERINFO, ACKEPOCH, DIFF, NEWLEADER,
#      ACK, UPTODATE, ACK), then heartbeats (PING both ways);
#   2. one client write, so that the next discovery carries a non-zero zxid;
#   3. kill -9 of the leader, re-election, discovery in epoch 2;
#   4. the old leader restarted: it joins the established leader late;
#   5. a few seconds of heartbeats, then everything is stopped.
#
# Usage: capture-quorum.sh OUTDIR [BASE]     (default BASE=15000)
# Needs root for tcpdump on lo. Uses /work/shared/zk-reference/zk-ensemble.sh.
# Every process started here is stopped again by its recorded pid.
set -u -o pipefail
OUT=${1:?usage: capture-quorum.sh OUTDIR [BASE]}
BASE=${2:-15000}
ZE=${ZE:-/work/shared/zk-reference/zk-ensemble.sh}
mkdir -p "$OUT"
Q1=$((BASE + 101)) Q4=$((BASE + 104))
FILTER="tcp and portrange $Q1-$Q4"   # the quorum ports of ids 1..4 only
DIR=$(mktemp -d "${TMPDIR:-/tmp}/zab-capture.XXXXXX")
TD=""

stop_observer() {
  local pid
  [[ -r $DIR/s4/pid ]] || return 0
  pid=$(<"$DIR/s4/pid")
  # only our java with our config file, never a recycled pid
  if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$DIR/s4/zoo.cfg"; then
    kill -TERM "$pid"; for _ in $(seq 50); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
    [[ -d /proc/$pid ]] && kill -KILL "$pid"
  fi
  rm -f "$DIR/s4/pid"
}
cleanup() {
  stop_observer
  [[ -r $DIR/ensemble.env ]] && "$ZE" stop -d "$DIR" >/dev/null
  if [[ -n $TD ]]; then sleep 1; kill -INT "$TD" 2>/dev/null; wait "$TD" 2>/dev/null; TD=""; fi
}
trap cleanup EXIT INT TERM

tcpdump -i lo -s 0 -B 8192 -U --immediate-mode -n -w "$OUT/quorum-3+1.pcap" "$FILTER" 2>"$DIR/tcpdump.err" &
TD=$!
for _ in $(seq 100); do grep -qs 'listening on' "$DIR/tcpdump.err" && break; sleep 0.05; done

"$ZE" start -d "$DIR" -n 3 -b "$BASE" -x "4=127.0.0.1:$((BASE + 104)):$((BASE + 204)):observer" | tee "$OUT/capture-run.log"

# The observer: server 1's config with its own dataDir/clientPort and peerType.
mkdir -p "$DIR/s4/data"; echo 4 >"$DIR/s4/data/myid"
sed -e "s|$DIR/s1/data|$DIR/s4/data|" -e "s|^clientPort=.*|clientPort=$((BASE + 4))|" "$DIR/s1/zoo.cfg" >"$DIR/s4/zoo.cfg"
echo "peerType=observer" >>"$DIR/s4/zoo.cfg"
"$ZE" start-one -d "$DIR" 4 | tee -a "$OUT/capture-run.log"
sleep 6   # the observer's JVM start, its discovery, and heartbeats

java -Xmx64m -cp /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-nop.jar \
  org.apache.zookeeper.ZooKeeperMain -server "127.0.0.1:$((BASE + 1))" create /zab-golden x 2>&1 |
  grep -E '^Created' | tee -a "$OUT/capture-run.log"

fo=$("$ZE" failover -d "$DIR"); echo "$fo" | tee -a "$OUT/capture-run.log"
killed=$(grep -o 'killed=[0-9]*' <<<"$fo" | cut -d= -f2)
sleep 3
"$ZE" start-one -d "$DIR" "$killed" | tee -a "$OUT/capture-run.log"
"$ZE" wait -d "$DIR" | tee -a "$OUT/capture-run.log"
sleep 4   # heartbeats with the rejoined server
cleanup
trap - EXIT INT TERM
grep -E 'captured|dropped' "$DIR/tcpdump.err" >&2

# The servers' log lines about the quorum-port sessions, for cross-checking
# the decoded vectors (the full logs are long and mostly about other things).
for id in 1 2 3 4; do
  grep -E "LEADER ELECTION TOOK|LearnerHandler - (Synchronizing|Sending)|Learner - |Leader - Have quorum|current epoch|NEWLEADER|Shutdown called|Exception when|Follower sid" \
    "$DIR/s$id/server.log" | grep -v '^\s*at' | sed -e "s|$DIR|<dir>|g" -e "s/^/s$id.log: /"
done >"$OUT/capture-quorum.log"
sed -i "s|$DIR|<dir>|g" "$OUT/capture-run.log"
rm -rf "$DIR"
echo "wrote $OUT/quorum-3+1.pcap"
