// Package epochfile keeps a server's acceptedEpoch and currentEpoch in
// ZooKeeper's files, <dataDir>/version-2/acceptedEpoch and currentEpoch:
// decimal text, no newline, written atomically (temp file, fsync, rename,
// fsync of the directory). Store implements zab.EpochStorage with the
// rules and errors of package zab (zab.AcceptedRule, zab.CurrentRule,
// zab.ErrEpochRegression, zab.EpochFileError, ...), which MemoryEpochs
// shares, so a driver cannot tell the two apart but by their durability.
//
// This is the only file I/O of the epoch agreement: package zab stays
// pure (no os, no mutex in its session machines) and the actors open a
// Store when the node has a dataDir.
package epochfile
