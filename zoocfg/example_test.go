package zoocfg_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/zkfle/zkfle/zoocfg"
)

// A node started as `node --config zoo.cfg` reads its zoo.cfg, its myid,
// and builds its configuration.
func Example() {
	dir, err := os.MkdirTemp("", "zoocfg-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	zooCfg := "tickTime=2000\ninitLimit=10\nsyncLimit=5\n" +
		"dataDir=" + dir + "\nclientPort=2181\nclientPortAddress=127.0.0.1\n" +
		"4lw.commands.whitelist=stat, ruok\nadmin.enableServer=false\ntikTime=1000\n" +
		"server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888:observer\n"
	must(os.WriteFile(filepath.Join(dir, "zoo.cfg"), []byte(zooCfg), 0o644))
	must(os.WriteFile(filepath.Join(dir, "myid"), []byte("2\n"), 0o644))

	f, err := zoocfg.Load(filepath.Join(dir, "zoo.cfg"))
	must(err)
	id, err := zoocfg.ReadMyID(f.Settings().DataDir)
	must(err)
	cfg, err := f.NodeConfig(id)
	must(err)

	fmt.Println("id:", cfg.ID, "tick:", cfg.TickTime, "client:", cfg.ClientAddr, "4lw:", cfg.FourLetterWords)
	fmt.Println("voters:", cfg.Verifier.VotingMembers(), "observers:", cfg.Verifier.ObservingMembers())
	fmt.Println("unknown:", f.Unknown(), "ignored:", f.Ignored())
	for _, w := range f.WarningsFor(id) {
		fmt.Println("warning:", w)
	}
	// Output:
	// id: 2 tick: 2s client: 127.0.0.1:2181 4lw: [stat ruok srvr]
	// voters: [1 2] observers: [3]
	// unknown: [tikTime] ignored: [admin.enableServer]
	// warning: No server failure will be tolerated. You need at least 3 servers.
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
