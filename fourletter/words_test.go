package fourletter

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsKnown(t *testing.T) {
	for _, w := range []string{Conf, Cons, Crst, Dirs, Dump, Envi, Gtmk, Hash, Isro, Mntr, Ruok, Srst, Srvr, Stat, Stmk, Wchc, Wchp, Wchs, TelnetClose} {
		assert.True(t, IsKnown(w), "%q", w)
	}
	for _, w := range []string{"SRVR", "abcd", "srv", "srvrr", "", "\x00\x00\x00\x2c", "icfg"} {
		assert.False(t, IsKnown(w), "%q", w)
	}
}

func TestEnabledFollowsZooKeeperWhitelistRules(t *testing.T) {
	tests := []struct {
		name      string
		word      string
		whitelist []string
		want      bool
	}{
		{"srvr needs no entry", Srvr, nil, true},
		{"srvr survives an empty list", Srvr, []string{""}, true},
		{"absent word", Ruok, []string{"srvr"}, false},
		{"listed word", Ruok, []string{"ruok"}, true},
		{"comma-separated in one entry", Mntr, []string{"ruok,mntr"}, true},
		{"names are trimmed", Mntr, []string{" ruok , mntr "}, true},
		{"separate entries", Conf, []string{"ruok", "conf"}, true},
		{"star allows everything", Wchp, []string{"*"}, true},
		{"star among names", Wchp, []string{"ruok, * "}, true},
		{"star allows the telnet close bytes", TelnetClose, []string{"*"}, true},
		{"telnet close by its name", TelnetClose, []string{"telnet close"}, true},
		{"the bytes are not its name", TelnetClose, []string{TelnetClose}, false},
		{"names are case-sensitive", Ruok, []string{"RUOK"}, false},
		{"unknown word even with star", "abcd", []string{"*"}, false},
		{"unknown word named", "abcd", []string{"abcd"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Enabled(tt.word, tt.whitelist))
		})
	}
}
