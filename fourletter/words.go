package fourletter

import "strings"

// The four-letter words ZooKeeper 3.8 knows (FourLetterCommands). Any
// other first four bytes on the client port are, to ZooKeeper, the length
// prefix of a session request, not a word.
const (
	Conf            = "conf" // configuration
	Cons            = "cons" // connections, in full
	Crst            = "crst" // reset connection statistics
	Dirs            = "dirs" // data and log directory sizes
	Dump            = "dump" // sessions, ephemerals and connection expiry
	Envi            = "envi" // the server's environment
	Gtmk            = "gtmk" // get the trace mask
	Hash            = "hash" // the data tree's digest log
	Isro            = "isro" // read-only or read-write
	Mntr            = "mntr" // monitoring key/value pairs
	Ruok            = "ruok" // are you ok
	Srst            = "srst" // reset server statistics
	Srvr            = "srvr" // server details
	Stat            = "stat" // server details and connections
	Stmk            = "stmk" // set the trace mask (8 more bytes follow)
	Wchc            = "wchc" // watches by session
	Wchp            = "wchp" // watches by path
	Wchs            = "wchs" // watch summary
	TelnetClose     = "\xff\xf4\xff\xfd"
	telnetCloseName = "telnet close"
)

// known maps every known word's four bytes to the name ZooKeeper uses for
// it in messages and in the whitelist.
var known = map[string]string{
	Conf: Conf, Cons: Cons, Crst: Crst, Dirs: Dirs, Dump: Dump, Envi: Envi,
	Gtmk: Gtmk, Hash: Hash, Isro: Isro, Mntr: Mntr, Ruok: Ruok, Srst: Srst,
	Srvr: Srvr, Stat: Stat, Stmk: Stmk, Wchc: Wchc, Wchp: Wchp, Wchs: Wchs,
	// The telnet client sends this when it closes. ZooKeeper lists it as a
	// command so that "*" enables it; enabled, it runs nothing.
	TelnetClose: telnetCloseName,
}

// IsKnown reports whether the four bytes are a word ZooKeeper 3.8 knows.
// Words are case-sensitive: "SRVR" is not one.
func IsKnown(word string) bool {
	_, ok := known[word]
	return ok
}

// Enabled reports whether a known word is allowed by the whitelist
// (4lw.commands.whitelist), with ZooKeeper's rules: each entry may hold
// several comma-separated names; names are trimmed; "*" allows every
// known word; srvr is always allowed (zkServer.sh needs it). Unknown
// words are never enabled.
func Enabled(word string, whitelist []string) bool {
	name, ok := known[word]
	if !ok {
		return false
	}
	if word == Srvr {
		return true
	}
	for _, entry := range whitelist {
		for _, w := range strings.Split(entry, ",") {
			switch strings.TrimSpace(w) {
			case "*", name:
				return true
			}
		}
	}
	return false
}
