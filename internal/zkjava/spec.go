package zkjava

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Member is one server.N line of the ensemble. Java members are launched
// by this package; the others (zkfle nodes, or nothing at all) only appear
// in every Java server's server list.
type Member struct {
	// SID is the server id (myid), > 0.
	SID int64
	// Host is the member's address; "" means 127.0.0.1.
	Host string
	// QuorumPort and ElectionPort are the two ports of its server.N line.
	QuorumPort, ElectionPort int
	// ClientPort is where a Java member answers clients and four-letter
	// words (on Host). Required for Java members, ignored otherwise.
	ClientPort int
	// Observer marks a non-voting member (":observer"; a Java observer
	// also gets peerType=observer).
	Observer bool
	// Java marks a member this package launches.
	Java bool
	// TLS, for a Java member, turns on sslQuorum with its own key store
	// (nil: plaintext).
	TLS *QuorumTLS
	// Extra are zoo.cfg lines (key=value) for this Java member only,
	// written after Settings.Extra.
	Extra []string
}

func (m Member) host() string {
	if m.Host == "" {
		return "127.0.0.1"
	}
	return m.Host
}

// ElectionAddr is the member's election address, host:port.
func (m Member) ElectionAddr() string { return fmt.Sprintf("%s:%d", m.host(), m.ElectionPort) }

// ClientAddr is a Java member's client address, host:port.
func (m Member) ClientAddr() string { return fmt.Sprintf("%s:%d", m.host(), m.ClientPort) }

// serverLine is the member's server.N line as written in zoo.cfg.
func (m Member) serverLine() string {
	line := fmt.Sprintf("server.%d=%s:%d:%d", m.SID, m.host(), m.QuorumPort, m.ElectionPort)
	if m.Observer {
		line += ":observer"
	}
	return line
}

// Settings are the zoo.cfg timing keys every Java server gets, plus extras.
type Settings struct {
	// TickTime is ZooKeeper's tick (tickTime). Zero means DefaultTickTime.
	TickTime time.Duration
	// InitLimit and SyncLimit are in ticks; zero means 10 and 5.
	InitLimit, SyncLimit int
	// Heap is the JVM's -Xmx; "" means 128m.
	Heap string
	// LogLevel is slf4j-simple's level (trace, debug, info, warn); ""
	// means info, which prints every received Notification.
	LogLevel string
	// Extra are additional zoo.cfg lines (key=value), written last.
	Extra []string
}

// DefaultTickTime is the tick interop tests use: short enough that a
// leader gives up on missing followers within seconds (initLimit 10 ×
// 500 ms), long enough that a JVM on a busy 2-core machine keeps up with
// ZAB's pings (syncLimit 5 × 500 ms).
const DefaultTickTime = 500 * time.Millisecond

func (s Settings) withDefaults() Settings {
	if s.TickTime == 0 {
		s.TickTime = DefaultTickTime
	}
	if s.InitLimit == 0 {
		s.InitLimit = 10
	}
	if s.SyncLimit == 0 {
		s.SyncLimit = 5
	}
	if s.Heap == "" {
		s.Heap = "128m"
	}
	if s.LogLevel == "" {
		s.LogLevel = "info"
	}
	return s
}

// Spec describes an ensemble: every member, Java or not.
type Spec struct {
	// Dir is where each Java server gets its directory s<sid> (zoo.cfg,
	// data/myid, server.log). It must exist.
	Dir string
	// Members are all server.N lines.
	Members []Member
	// Settings apply to every Java server.
	Settings Settings
}

// validate checks the members: unique positive sids, ports in range, a
// client port for each Java member, at least one Java member.
func (s Spec) validate() error {
	if s.Dir == "" {
		return fmt.Errorf("%w: Dir is empty", ErrBadSpec)
	}
	seen := map[int64]bool{}
	java := 0
	for _, m := range s.Members {
		if m.SID <= 0 {
			return fmt.Errorf("%w: sid %d (must be > 0)", ErrBadSpec, m.SID)
		}
		if seen[m.SID] {
			return fmt.Errorf("%w: sid %d appears twice", ErrBadSpec, m.SID)
		}
		seen[m.SID] = true
		ports := map[string]int{"quorum": m.QuorumPort, "election": m.ElectionPort}
		if m.Java {
			java++
			ports["client"] = m.ClientPort
		}
		for what, p := range ports {
			if p < 1 || p > 65535 {
				return fmt.Errorf("%w: server.%d %s port %d (want 1..65535)", ErrBadSpec, m.SID, what, p)
			}
		}
		if strings.ContainsAny(m.Host, ":\n=") {
			return fmt.Errorf("%w: server.%d host %q", ErrBadSpec, m.SID, m.Host)
		}
		if m.TLS != nil {
			if err := m.TLS.validate(m.SID); err != nil {
				return err
			}
		}
		if err := validateLines(m.Extra); err != nil {
			return err
		}
	}
	if java == 0 {
		return fmt.Errorf("%w: no Java member among %d", ErrBadSpec, len(s.Members))
	}
	return validateLines(s.Settings.Extra)
}

// validateLines checks that every extra zoo.cfg line is one key=value.
func validateLines(lines []string) error {
	for _, line := range lines {
		if !strings.Contains(line, "=") || strings.Contains(line, "\n") {
			return fmt.Errorf("%w: extra zoo.cfg line %q is not one key=value", ErrBadSpec, line)
		}
	}
	return nil
}

// zooCfg renders the zoo.cfg of Java member me, whose data lives in
// dataDir.
func (s Spec) zooCfg(me Member, dataDir string) string {
	st := s.Settings.withDefaults()
	var b strings.Builder
	fmt.Fprintf(&b, "# written by zkfle internal/zkjava for server %d\n", me.SID)
	fmt.Fprintf(&b, "tickTime=%d\ninitLimit=%d\nsyncLimit=%d\n", st.TickTime.Milliseconds(), st.InitLimit, st.SyncLimit)
	// No AdminServer (it would take port 8080); every four-letter word;
	// bind only the configured loopback addresses.
	b.WriteString("admin.enableServer=false\n4lw.commands.whitelist=*\nquorumListenOnAllIPs=false\n")
	fmt.Fprintf(&b, "dataDir=%s\n", dataDir)
	fmt.Fprintf(&b, "clientPort=%d\nclientPortAddress=%s\n", me.ClientPort, me.host())
	if me.Observer {
		b.WriteString("peerType=observer\n")
	}
	for _, line := range st.Extra {
		b.WriteString(line + "\n")
	}
	if me.TLS != nil {
		for _, line := range me.TLS.lines() {
			b.WriteString(line + "\n")
		}
	}
	for _, line := range me.Extra {
		b.WriteString(line + "\n")
	}
	members := append([]Member(nil), s.Members...)
	sort.Slice(members, func(i, j int) bool { return members[i].SID < members[j].SID })
	for _, m := range members {
		b.WriteString(m.serverLine() + "\n")
	}
	return b.String()
}

// javaArgs is the JVM command line (after the executable) for a server
// whose zoo.cfg is cfgPath.
func (s Spec) javaArgs(inst Installation, cfgPath string) []string {
	st := s.Settings.withDefaults()
	return []string{
		"-Xmx" + st.Heap,
		// Start-up options for a small, busy machine: one GC thread, and
		// the quick C1 compiler only (the servers run for seconds).
		"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
		"-Djava.net.preferIPv4Stack=true",
		"-cp", inst.classPath(),
		"-Dorg.slf4j.simpleLogger.showDateTime=true",
		"-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS",
		"-Dorg.slf4j.simpleLogger.defaultLogLevel=" + st.LogLevel,
		"-Dzookeeper.jmx.log4j.disable=true",
		MainClass, cfgPath,
	}
}
