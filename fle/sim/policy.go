package sim

import "time"

// Fate is what the network does with one message put on the wire between
// two distinct nodes: Copies == 0 loses it, 1 delivers it after Delays[0],
// 2 delivers it twice, after Delays[0] and after Delays[1].
//
// A connection is a TCP stream, so by default a message never overtakes
// an earlier one on the same link direction (its delay is stretched to
// arrive after it). Reorder lifts that: the message arrives after its own
// delay whatever was sent before, which no TCP connection does but which
// shakes out stale-vote handling.
type Fate struct {
	// Copies is how many copies arrive: 0 (lost), 1, or 2 (duplicated).
	Copies int
	// Delays are the copies' delays.
	Delays [2]time.Duration
	// Reorder lets the copies overtake earlier messages on the link.
	Reorder bool
}

// Policy decides the fate of every message put on the wire. Loopback
// messages (a node to itself) never consult it: ZooKeeper delivers them
// in-process.
type Policy interface {
	Fate(from, to int64) Fate
}

// FixedPolicy delivers every message exactly once after a fixed delay:
// Default, or Pair[[2]int64{from, to}] when set. Scripts use it, so that
// stabilize is deterministic and readable.
type FixedPolicy struct {
	// Default is the delay of every link without an entry in Pair.
	Default time.Duration
	// Pair overrides the delay of one direction of one link.
	Pair map[[2]int64]time.Duration
}

// Fate implements Policy.
func (p *FixedPolicy) Fate(from, to int64) Fate {
	d, ok := p.Pair[[2]int64{from, to}]
	if !ok {
		d = p.Default
	}
	return Fate{Copies: 1, Delays: [2]time.Duration{d}}
}
