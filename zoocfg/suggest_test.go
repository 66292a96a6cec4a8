package zoocfg

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSuggestNamesTheKeyATypoMeant(t *testing.T) {
	for key, want := range map[string]string{
		"tickTme":                      "tickTime",
		"tikTime":                      "tickTime",
		"ticktime":                     "tickTime", // case only
		"initlimit":                    "initLimit",
		"synclimit":                    "syncLimit",
		"datadir":                      "dataDir",
		"clientport":                   "clientPort",
		"cnxTimout":                    "cnxTimeout",
		"4lw.commands.whitelst":        "4lw.commands.whitelist",
		"zkfle.peerAdressCheck":        "zkfle.peerAddressCheck",
		"ssl.quorum.keystore.location": "ssl.quorum.keyStore.location",
		"sever.3":                      "server.3",
		"servr.12":                     "server.12",
		"weigth.2":                     "weight.2",
		// Not typos: nothing close enough.
		"myOwnSetting":     "",
		"foo":              "",
		"server.3":         "", // known, not a typo (Unknown never lists it)
		"tickTime":         "",
		"completely.other": "",
	} {
		assert.Equal(t, want, Suggest(key), key)
	}
}

func TestEditDistance(t *testing.T) {
	assert.Equal(t, 0, editDistance("", ""))
	assert.Equal(t, 3, editDistance("", "abc"))
	assert.Equal(t, 1, editDistance("tickTme", "tickTime"))
	assert.Equal(t, 2, editDistance("tikcTime", "tickTime"), "a transposition is two edits")
	assert.Equal(t, 3, editDistance("kitten", "sitting"))
}
