package epochfile

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/zab"
)

// The conformance suite of zab.EpochStorage lives here, beside the file
// store, because it runs both implementations and zab cannot import its
// file store.

// epochImpl builds one zab.EpochStorage implementation holding accepted and
// current, and a switch that makes its writes fail (true) or succeed
// again (false).
type epochImpl struct {
	name string
	open func(t *testing.T, accepted, current int64) (zab.EpochStorage, func(bool), error)
}

var errDiskFull = errors.New("no space left on device (test)")

func epochImpls() []epochImpl {
	return []epochImpl{
		{"file", func(t *testing.T, accepted, current int64) (zab.EpochStorage, func(bool), error) {
			dataDir := t.TempDir()
			dir := filepath.Join(dataDir, SnapDirName)
			writeFile(t, filepath.Join(dir, zab.AcceptedEpochName), strconv.FormatInt(accepted, 10))
			writeFile(t, filepath.Join(dir, zab.CurrentEpochName), strconv.FormatInt(current, 10))
			s, err := Open(dataDir)
			if err != nil {
				return nil, nil, err
			}
			// A directory (not empty, so the failed write cannot remove it)
			// where each temporary file or the probe goes: every write
			// fails as on a broken disk, even for root.
			blockers := []string{zab.AcceptedEpochName + tmpSuffix, zab.CurrentEpochName + tmpSuffix, ProbeName}
			fail := func(on bool) {
				for _, b := range blockers {
					if on {
						writeFile(t, filepath.Join(dir, b, "keep"), "x")
					} else {
						require.NoError(t, os.RemoveAll(filepath.Join(dir, b)))
					}
				}
			}
			return s, fail, nil
		}},
		{"memory", func(_ *testing.T, accepted, current int64) (zab.EpochStorage, func(bool), error) {
			s, err := zab.NewMemoryEpochs(accepted, current)
			if err != nil {
				return nil, nil, err
			}
			fail := func(on bool) {
				if on {
					s.FailWrites(errDiskFull)
				} else {
					s.FailWrites(nil)
				}
			}
			return s, fail, nil
		}},
	}
}

// Both implementations take and refuse the same writes with the same
// errors, and a refused write changes nothing.
func TestEpochStorageRules(t *testing.T) {
	type step struct {
		write   zab.EpochWrite
		wantErr error // nil: must succeed
	}
	acc := func(e int64) zab.EpochWrite { return zab.EpochWrite{File: zab.AcceptedEpochFile, Epoch: e} }
	cur := func(e int64) zab.EpochWrite { return zab.EpochWrite{File: zab.CurrentEpochFile, Epoch: e} }
	cases := []struct {
		name                   string
		accepted, current      int64
		steps                  []step
		wantAccepted, wantCurr int64
	}{
		{"accept then acknowledge", 0, 0, []step{{acc(5), nil}, {cur(5), nil}}, 5, 5},
		{"rewriting the same value is fine", 3, 3, []step{{acc(3), nil}, {cur(3), nil}}, 3, 3},
		{"acceptedEpoch never goes back", 5, 4, []step{{acc(4), zab.ErrEpochRegression}}, 5, 4},
		{"currentEpoch never goes back", 5, 4, []step{{cur(3), zab.ErrEpochRegression}}, 5, 4},
		{"currentEpoch never exceeds acceptedEpoch", 5, 4, []step{{cur(6), zab.ErrEpochOrder}}, 5, 4},
		{"accepted may run ahead", 1, 1, []step{{acc(2), nil}, {acc(9), nil}, {cur(2), nil}}, 9, 2},
		{"the largest representable epoch", zab.MaxEpoch - 1, 0, []step{{acc(zab.MaxEpoch), nil}, {cur(zab.MaxEpoch), nil}}, zab.MaxEpoch, zab.MaxEpoch},
	}
	for _, impl := range epochImpls() {
		for _, tc := range cases {
			t.Run(impl.name+"/"+tc.name, func(t *testing.T) {
				s, _, err := impl.open(t, tc.accepted, tc.current)
				require.NoError(t, err)
				for _, st := range tc.steps {
					err := s.Apply(st.write)
					if st.wantErr == nil {
						require.NoError(t, err, "%+v", st.write)
					} else {
						require.ErrorIs(t, err, st.wantErr, "%+v", st.write)
					}
				}
				assert.Equal(t, tc.wantAccepted, s.Accepted())
				assert.Equal(t, tc.wantCurr, s.Current())
			})
		}
	}
}

// Opening checks the same invariants: accepted >= current, both >= 0.
func TestEpochStorageOpenChecks(t *testing.T) {
	for _, impl := range epochImpls() {
		t.Run(impl.name, func(t *testing.T) {
			_, _, err := impl.open(t, 2, 3)
			assert.ErrorIs(t, err, zab.ErrEpochOrder)
			_, _, err = impl.open(t, -1, 0)
			assert.ErrorIs(t, err, zab.ErrCorruptEpochFile)
			var fe *zab.EpochFileError
			assert.True(t, errors.As(err, &fe), "a typed error naming where")
			s, _, err := impl.open(t, 7, 4)
			require.NoError(t, err)
			assert.Equal(t, int64(7), s.Accepted())
			assert.Equal(t, int64(4), s.Current())
		})
	}
}

// While writes fail, every write and Probe fails and changes nothing;
// misuse is still reported as misuse; once the disk heals, writes work.
func TestEpochStorageFailingWrites(t *testing.T) {
	for _, impl := range epochImpls() {
		t.Run(impl.name, func(t *testing.T) {
			s, fail, err := impl.open(t, 3, 2)
			require.NoError(t, err)
			require.NoError(t, s.Probe())
			fail(true)
			assert.Error(t, s.Probe())
			err = s.SetAccepted(4)
			require.Error(t, err)
			assert.NotErrorIs(t, err, zab.ErrEpochRegression)
			assert.Error(t, s.SetCurrent(3))
			assert.Equal(t, int64(3), s.Accepted(), "a failed write changes nothing")
			assert.Equal(t, int64(2), s.Current())
			assert.ErrorIs(t, s.SetAccepted(1), zab.ErrEpochRegression, "the checks come before the write")
			assert.ErrorIs(t, s.SetCurrent(9), zab.ErrEpochOrder)
			fail(false)
			require.NoError(t, s.Probe())
			require.NoError(t, s.SetAccepted(4))
			require.NoError(t, s.SetCurrent(4))
			assert.Equal(t, int64(4), s.Current())
		})
	}
}

// An unknown file in an zab.EpochWrite is an error for both.
func TestEpochStorageUnknownFile(t *testing.T) {
	for _, impl := range epochImpls() {
		s, _, err := impl.open(t, 0, 0)
		require.NoError(t, err)
		assert.Error(t, s.Apply(zab.EpochWrite{File: 9, Epoch: 1}), impl.name)
		assert.Zero(t, s.Accepted(), impl.name)
	}
}
