package metrics

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/history"
)

// Namespace prefixes every metric name.
const Namespace = "zkfle"

// DurationBuckets are the election duration histogram's upper bounds in
// seconds: ZooKeeper elections take from a finalize window (200 ms) to
// the notification timeout's ceiling (60 s).
var DurationBuckets = []float64{0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30, 60, 120}

// Metrics is one node's metrics and the registry that holds them.
type Metrics struct {
	reg      *prometheus.Registry
	duration prometheus.Histogram
	total    prometheus.Counter
}

// Options adjusts New.
type Options struct {
	// Registry to register into; nil means a new one, with the Go runtime
	// and process collectors added.
	Registry *prometheus.Registry
}

// New registers node's metrics and subscribes to rec's finished
// elections. It fails only if the registry already holds metrics for this
// sid.
func New(node *actors.Node, rec *history.Recorder, opts Options) (*Metrics, error) {
	reg := opts.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	r := prometheus.WrapRegistererWith(prometheus.Labels{"sid": strconv.FormatInt(node.ID(), 10)}, reg)
	m := &Metrics{
		reg: reg,
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "election_duration_seconds",
			Help:    "Time from entering LOOKING to reporting LEADING, FOLLOWING or OBSERVING.",
			Buckets: DurationBuckets,
		}),
		total: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "elections_total",
			Help: "Elections this node finished (left LOOKING).",
		}),
	}
	for _, c := range []prometheus.Collector{m.duration, m.total, newNodeCollector(node)} {
		if err := r.Register(c); err != nil {
			return nil, err
		}
	}
	rec.OnFinished(m.observe)
	return m, nil
}

// observe accounts for one finished election.
func (m *Metrics) observe(e history.Election) {
	m.duration.Observe(e.Duration.Seconds())
	m.total.Inc()
}

// Registry returns the registry the metrics live in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in Prometheus' exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
