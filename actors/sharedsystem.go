package actors

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// Every node started without WithActorSystem runs on one actor system
// shared by the whole process. An actor system is expensive to make and
// holds no goroutine of its own: protoactor's process registry alone is
// 1,024 maps of 32 shards each (about 33,000 small allocations). Starting
// 51 nodes with one system each took 5-9 s on 2 loaded cores, before any
// of them was looking; on the shared system it takes tens of
// milliseconds. Nothing of a node lives in the system but its actors, so
// a node stops by stopping its root actor; the shared system is never
// shut down.
var (
	sharedOnce sync.Once
	sharedSys  *actor.ActorSystem
	// sharedSeq numbers the nodes started on the shared system.
	sharedSeq atomic.Uint64
)

// sharedSystem is the process's shared actor system, made on first use.
// protoactor's own records (Warn and above, as quietProtoactorLogger's)
// go to slog.Default at the time of each record: they name the actor,
// whose path starts with its node's root name.
func sharedSystem() *actor.ActorSystem {
	sharedOnce.Do(func() {
		sharedSys = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
			return slog.New(minLevel{Handler: defaultHandler{}, min: slog.LevelWarn}).With("lib", "protoactor")
		}))
	})
	return sharedSys
}

// sharedRootName is the root actor name of a node on the shared system:
// rootName plus a number unique in the process, so that two nodes with
// one sid (two test ensembles, or a node restarted while its previous
// incarnation stops) never collide.
func sharedRootName(sid int64) string {
	return fmt.Sprintf("%s.%d", rootName(sid), sharedSeq.Add(1))
}

// defaultHandler hands each record, with the attributes bound to it, to
// slog.Default's handler as it is when the record is logged (a program
// may set its default logger after its first node started).
type defaultHandler struct{ attrs []slog.Attr }

func (defaultHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return slog.Default().Handler().Enabled(ctx, l)
}

func (h defaultHandler) Handle(ctx context.Context, r slog.Record) error {
	r = r.Clone()
	r.AddAttrs(h.attrs...)
	return slog.Default().Handler().Handle(ctx, r)
}

func (h defaultHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return defaultHandler{attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

// WithGroup keeps the attributes flat: protoactor opens no groups.
func (h defaultHandler) WithGroup(string) slog.Handler { return h }
