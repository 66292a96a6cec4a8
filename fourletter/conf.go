package fourletter

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Values ZooKeeper prints in conf that zkfle has no setting for.
const (
	// DefaultMaxClientCnxns is ZooKeeper's maxClientCnxns default.
	DefaultMaxClientCnxns = 60
	// ElectionAlgorithm is the only electionAlg 3.8 supports (FLE).
	ElectionAlgorithm = 3
	// DefaultTraceMask is ZooTrace's default text trace mask, which gtmk
	// prints until stmk changes it.
	DefaultTraceMask = 306
	// noPort is what conf prints for an unset port (secureClientPort) and
	// an unset listen backlog.
	noPort = -1
)

// conf is QuorumZooKeeperServer.dumpConf: ZooKeeperServer's lines, the
// quorum lines, then the membership. The membership has no trailing
// newline, so neither has the answer.
func conf(b *strings.Builder, s *Snapshot) {
	c := &s.Config
	line := func(key, value string) { b.WriteString(key + "=" + value + "\n") }
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	line("clientPort", strconv.Itoa(c.ClientPort))
	line("secureClientPort", strconv.Itoa(noPort))
	line("dataDir", versionDir(c.DataDir))
	line("dataDirSize", strconv.FormatInt(c.DataDirSize, 10))
	line("dataLogDir", versionDir(c.DataLogDir))
	line("dataLogSize", strconv.FormatInt(c.DataLogSize, 10))
	line("tickTime", ms(c.TickTime))
	line("maxClientCnxns", strconv.Itoa(c.MaxClientCnxns))
	line("minSessionTimeout", ms(c.MinSessionTimeout))
	line("maxSessionTimeout", ms(c.MaxSessionTimeout))
	line("clientPortListenBacklog", strconv.Itoa(noPort))
	line("serverId", strconv.FormatInt(s.ServerID, 10))
	line("initLimit", strconv.Itoa(c.InitLimit))
	line("syncLimit", strconv.Itoa(c.SyncLimit))
	line("electionAlg", strconv.Itoa(c.ElectionAlg))
	line("electionPort", joinPorts(c.ElectionPorts))
	line("quorumPort", joinPorts(c.QuorumPorts))
	peerType := "0"
	if c.Observer {
		peerType = "1"
	}
	line("peerType", peerType)
	if t := s.TLS; t != nil {
		// Not ZooKeeper's lines (its conf says nothing of TLS): only a
		// TLS node prints them, before the membership that ends conf.
		line("sslQuorum", "true")
		line("portUnification", strconv.FormatBool(t.PortUnification))
		line("zkfle.ssl.quorum.certSubject", t.Subject)
		if !t.NotAfter.IsZero() {
			line("zkfle.ssl.quorum.certNotAfter", t.NotAfter.UTC().Format(time.RFC3339))
		}
	}
	b.WriteString("membership: \n")
	b.WriteString(s.Membership)
}

// versionDir is FileTxnSnapLog's directory: the configured one with
// "version-2" appended (ZooKeeper prints the absolute path).
func versionDir(dir string) string {
	return filepath.Join(dir, "version-2")
}

// joinPorts is MultipleAddresses.getAllPorts joined with "|".
func joinPorts(ports []int) string {
	parts := make([]string, len(ports))
	for i, p := range ports {
		parts[i] = strconv.Itoa(p)
	}
	return strings.Join(parts, "|")
}
