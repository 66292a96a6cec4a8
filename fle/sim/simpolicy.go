package sim

import (
	"math/rand/v2"
	"time"
)

// simPolicy is the simulator's network: random delays, losses,
// duplicates and (if asked) overtaking during the fault window, and a
// healthy network (one copy, in order, 1 ms to FinalizeWait/2) from the
// heal time on.
type simPolicy struct {
	r      *rand.Rand
	now    func() time.Duration
	faults Faults
	// maxDelay is the fault-phase maximum (Faults.MaxDelay or its default).
	maxDelay time.Duration
	healAt   time.Duration
	// cleanMax is the healthy network's maximum delay.
	cleanMax time.Duration
}

// Fate implements Policy.
func (p *simPolicy) Fate(from, to int64) Fate {
	if p.healAt > 0 && p.now() >= p.healAt {
		return Fate{Copies: 1, Delays: [2]time.Duration{p.between(time.Millisecond, p.cleanMax)}}
	}
	f := p.faults
	if f.Drop > 0 && p.r.Float64() < f.Drop {
		return Fate{}
	}
	fate := Fate{Copies: 1, Delays: [2]time.Duration{p.between(f.MinDelay, p.maxDelay)}, Reorder: f.Reorder}
	if f.Duplicate > 0 && p.r.Float64() < f.Duplicate {
		fate.Copies = 2
		fate.Delays[1] = p.between(f.MinDelay, p.maxDelay)
	}
	return fate
}

// between draws a delay uniformly from [lo, hi] in whole microseconds,
// which keeps traces readable.
func (p *simPolicy) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	steps := int64((hi - lo) / time.Microsecond)
	return lo + time.Duration(p.r.Int64N(steps+1))*time.Microsecond
}
