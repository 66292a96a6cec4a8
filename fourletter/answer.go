package fourletter

import (
	"strconv"
	"strings"
)

// NotServing is ZooKeeper's answer, to most words, while the server has
// no role yet (LOOKING): AbstractFourLetterCommand.ZK_NOT_SERVING.
const NotServing = "This ZooKeeper instance is not currently serving requests"

// NotInWhitelist is the answer to a known word the whitelist does not
// allow, whatever the server's state. It names the word as ZooKeeper does
// ("telnet close" for the telnet bytes); any other text is named as is.
func NotInWhitelist(word string) string {
	name, ok := known[word]
	if !ok {
		name = word
	}
	return name + " is not executed because it is not in the whitelist.\n"
}

// Answer returns the bytes ZooKeeper 3.8 writes for word (the first four
// bytes read from a client connection) before it closes the connection.
//
// An empty answer means: close without writing, which is what ZooKeeper
// does for the four bytes of an unknown word (it reads them as the length
// of a session request, finds it absurd and drops the connection), and
// for the telnet close sequence when it is whitelisted. For stmk, s
// carries the mask the client sent (see Stmk).
//
// Words answer whether the server is serving or not exactly as ZooKeeper
// does: ruok, gtmk, stmk and envi always answer normally, isro answers
// "null" while LOOKING, hash answers NotServing without a newline, and
// the rest answer NotServing with one.
//
// Answer only formats. What the words do besides answering is the
// caller's: stmk's mask (the 8 bytes after the word, read only when stmk
// is enabled) becomes the trace mask, and srst and crst, when enabled and
// serving, reset the server's and the connections' counters.
func Answer(word string, s Snapshot, whitelist []string) string {
	if !IsKnown(word) {
		return ""
	}
	if !Enabled(word, whitelist) {
		return NotInWhitelist(word)
	}
	switch word {
	case Ruok:
		return "imok"
	case Gtmk, Stmk:
		return strconv.FormatInt(s.TraceMask, 10)
	case Envi:
		return environment(&s)
	case Isro:
		if !s.Serving() {
			return "null"
		}
		return "rw"
	case Hash:
		if !s.Serving() {
			return NotServing
		}
		return "" // no digest log: zkfle keeps no data tree
	case TelnetClose:
		return ""
	}
	if !s.Serving() {
		return NotServing + "\n" + diskFaultLines(word, &s)
	}
	var b strings.Builder
	switch word {
	case Srvr, Stat:
		stat(&b, &s, word == Stat)
	case Cons:
		connections(&b, &s)
		b.WriteString("\n")
	case Conf:
		conf(&b, &s)
	case Mntr:
		monitor(&b, &s)
	case Dirs:
		b.WriteString("datadir_size: " + strconv.FormatInt(s.Config.DataDirSize, 10) + "\n")
		b.WriteString("logdir_size: " + strconv.FormatInt(s.Config.DataLogSize, 10) + "\n")
	case Dump:
		dump(&b, &s)
	case Wchs:
		// An empty data tree: no connection watches anything.
		b.WriteString("0 connections watching 0 paths\nTotal watches:0\n")
	case Wchc, Wchp:
		b.WriteString("\n") // no watches, then WatchCommand's println
	case Crst:
		b.WriteString("Connection stats reset.\n")
	case Srst:
		b.WriteString("Server stats reset.\n")
	}
	b.WriteString(diskFaultLines(word, &s))
	return b.String()
}

// DiskFaultKey is the mntr key zkfle adds while the node cannot persist
// its epoch files; it is absent otherwise, so a healthy node's answer is
// ZooKeeper's.
const DiskFaultKey = "zk_zkfle_disk_fault"

// DiskFaultPrefix starts the line srvr and stat add while the node cannot
// persist its epoch files.
const DiskFaultPrefix = "zkfle disk fault: "

// diskFaultLines is what srvr, stat and mntr append for a disk fault,
// after ZooKeeper's own lines (or after NotServing while LOOKING, which a
// faulted node usually is): nothing when there is none.
func diskFaultLines(word string, s *Snapshot) string {
	if s.DiskFault == "" {
		return ""
	}
	switch word {
	case Srvr, Stat:
		return DiskFaultPrefix + s.DiskFault + "; not standing for leader\n"
	case Mntr:
		return DiskFaultKey + "\t1\n"
	}
	return ""
}

// environment is envi (Environment.list): "Environment:" then key=value
// lines in ZooKeeper's order, without the JVM's.
func environment(s *Snapshot) string {
	var b strings.Builder
	b.WriteString("Environment:\n")
	line := func(key, value string) {
		if value == "" {
			value = "<NA>"
		}
		b.WriteString(key + "=" + value + "\n")
	}
	h := &s.Host
	line("zookeeper.version", s.Version)
	line("host.name", h.Name)
	line("os.name", javaOSName(h.OS))
	line("os.arch", javaArch(h.Arch))
	line("os.version", h.OSVersion)
	line("user.name", h.User)
	line("user.home", h.Home)
	line("user.dir", h.WorkDir)
	return b.String()
}

// javaOSName is the os.name a JVM reports on the platform Go calls goos.
func javaOSName(goos string) string {
	switch goos {
	case "linux":
		return "Linux"
	case "darwin":
		return "Mac OS X"
	case "windows":
		return "Windows"
	case "freebsd":
		return "FreeBSD"
	case "openbsd":
		return "OpenBSD"
	case "netbsd":
		return "NetBSD"
	case "solaris", "illumos":
		return "SunOS"
	case "aix":
		return "AIX"
	}
	return goos
}

// javaArch is the os.arch a JVM reports for Go's goarch.
func javaArch(goarch string) string {
	switch goarch {
	case "arm64":
		return "aarch64"
	case "386":
		return "x86"
	}
	return goarch // amd64, ppc64le, s390x, riscv64: the JVM's names too
}
