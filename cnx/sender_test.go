package cnx

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// written collects what a Sender asks to write.
type written []string

func (w *written) take(msg string, ok bool) {
	if ok {
		*w = append(*w, msg)
	}
}

// One frame in flight; while it is written, newer messages replace the
// waiting one, and only the newest goes out next.
func TestSenderNewestWinsWhileInFlight(t *testing.T) {
	var w written
	s := NewSender("", false)
	w.take(s.Start())
	assert.Empty(t, w, "no first message")
	w.take(s.Send("a"))
	w.take(s.Send("b"))
	w.take(s.Send("c"))
	assert.Equal(t, written{"a"}, w, "one frame in flight")
	waiting, ok := s.Waiting()
	assert.True(t, ok)
	assert.Equal(t, "c", waiting)
	w.take(s.Written())
	assert.Equal(t, written{"a", "c"}, w, "b was replaced by c")
	w.take(s.Written())
	assert.Equal(t, written{"a", "c"}, w)
	assert.False(t, s.InFlight())
	w.take(s.Send("d"))
	assert.Equal(t, written{"a", "c", "d"}, w, "idle: written at once")
}

// The first message goes out when the connection starts, once: a worker
// restarted in place on the same connection does not send it again, and
// forgets the frame in flight that died with the old worker.
func TestSenderFirstMessageOncePerConnection(t *testing.T) {
	var w written
	s := NewSender("first", true)
	w.take(s.Start())
	assert.Equal(t, written{"first"}, w)
	w.take(s.Send("x"))
	assert.Equal(t, written{"first"}, w, "behind the first frame")
	w.take(s.Start()) // restart in place
	assert.Equal(t, written{"first"}, w, "the first message is not re-sent")
	assert.False(t, s.InFlight())
	_, waiting := s.Waiting()
	assert.False(t, waiting, "the waiting message died with the worker")
	w.take(s.Send("y"))
	assert.Equal(t, written{"first", "y"}, w)
}
