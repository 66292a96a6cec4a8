package netns

import (
	"errors"
	"fmt"
	"sort"
)

// ErrClosed is returned by fault methods of a closed lab.
var ErrClosed = errors.New("netns: lab closed")

// Cut pulls node i's cable: the hub's end of its veth goes down, so the
// node reaches nobody (not even the hub) and nobody reaches it, silently:
// its own routes stay, so its sends wait on neighbour resolution as they
// would behind a dead switch port. Cutting a cut node does nothing.
func (l *Lab) Cut(i int) error {
	return l.setLink(i, false)
}

// Reconnect plugs node i's cable back in.
func (l *Lab) Reconnect(i int) error {
	return l.setLink(i, true)
}

func (l *Lab) setLink(i int, up bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	if err := l.check(i); err != nil {
		return err
	}
	if l.down[i] == !up {
		return nil
	}
	state := "down"
	if up {
		state = "up"
	}
	if err := ip("-n", l.Hub, "link", "set", l.nodes[i-1].hubLink, state); err != nil {
		return err
	}
	if up {
		delete(l.down, i)
	} else {
		l.down[i] = true
	}
	return nil
}

// Blackhole drops every packet node from sends to node to: a blackhole
// route to to's address in from's namespace. Only that direction is cut;
// to's packets still reach from. Blackholing an existing route does
// nothing.
func (l *Lab) Blackhole(from, to int) error {
	return l.route(from, to, true)
}

// Unblackhole removes the route Blackhole added.
func (l *Lab) Unblackhole(from, to int) error {
	return l.route(from, to, false)
}

func (l *Lab) route(from, to int, add bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	if err := l.check(from); err != nil {
		return err
	}
	if err := l.check(to); err != nil {
		return err
	}
	if from == to {
		return fmt.Errorf("netns: blackhole from node %d to itself", from)
	}
	key := [2]int{from, to}
	if l.blackholes[key] == add {
		return nil
	}
	verb := "del"
	if add {
		verb = "add"
	}
	if err := ip("-n", l.nodes[from-1].NS, "route", verb, "blackhole", l.nodes[to-1].IP+"/32"); err != nil {
		return err
	}
	if add {
		l.blackholes[key] = true
	} else {
		delete(l.blackholes, key)
	}
	return nil
}

// Partition blackholes every pair across the two groups, both ways: a
// symmetric partition such as {1,2} | {3,4,5}. Nodes in neither group are
// untouched.
func (l *Lab) Partition(a, b []int) error {
	for _, x := range a {
		for _, y := range b {
			if err := l.Blackhole(x, y); err != nil {
				return err
			}
			if err := l.Blackhole(y, x); err != nil {
				return err
			}
		}
	}
	return nil
}

// Heal removes every blackhole route and reconnects every cut node. It
// tries everything and returns the first error.
func (l *Lab) Heal() error {
	var first error
	keep := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	for _, r := range l.Blackholes() {
		keep(l.Unblackhole(r[0], r[1]))
	}
	for _, i := range l.CutNodes() {
		keep(l.Reconnect(i))
	}
	return first
}

// Blackholes returns the installed blackhole routes as (from, to) pairs,
// sorted.
func (l *Lab) Blackholes() [][2]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([][2]int, 0, len(l.blackholes))
	for k := range l.blackholes {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out
}

// CutNodes returns the nodes whose cable is pulled, sorted.
func (l *Lab) CutNodes() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]int, 0, len(l.down))
	for i := range l.down {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// Healed reports whether no fault is installed.
func (l *Lab) Healed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.blackholes) == 0 && len(l.down) == 0
}

func (l *Lab) check(i int) error {
	if i < 1 || i > len(l.nodes) {
		return fmt.Errorf("netns: no node %d (lab has %d)", i, len(l.nodes))
	}
	return nil
}
