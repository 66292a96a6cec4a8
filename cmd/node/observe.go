package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/admin"
	"github.com/zkfle/zkfle/history"
	"github.com/zkfle/zkfle/metrics"
	"github.com/zkfle/zkfle/zoocfg"
)

// zoo.cfg keys of the admin and metrics endpoints: ZooKeeper's names.
// ZooKeeper enables its AdminServer by default; zkfle serves nothing
// unless asked.
const (
	keyAdminEnable   = "admin.enableServer"
	keyAdminAddress  = "admin.serverAddress"
	keyAdminPort     = "admin.serverPort"
	keyMetricsClass  = "metricsProvider.className"
	keyMetricsHost   = "metricsProvider.httpHost"
	keyMetricsPort   = "metricsProvider.httpPort"
	prometheusClass  = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider"
	defaultAdminAddr = "0.0.0.0"
	defaultAdminPort = "8080"
	defaultMetrics   = "0.0.0.0"
	defaultMetricsPt = "7000"
	metricsPath      = "/metrics"
)

// errBadObserveSetting is wrapped by every bad admin/metrics setting.
var errBadObserveSetting = errors.New("bad admin/metrics setting")

// observeOptions are the run flags that turn the endpoints on, overriding
// zoo.cfg.
type observeOptions struct {
	adminAddr   string
	metricsAddr string
}

func addObserveFlags(fs *flag.FlagSet, o *observeOptions) {
	fs.StringVar(&o.adminAddr, "admin-addr", "", "serve the admin endpoint (/commands/...) on `host:port`, overriding zoo.cfg's admin.* keys")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus metrics (/metrics) on `host:port`, overriding zoo.cfg's metricsProvider.* keys")
}

// observeConfig says where to serve; "" means not at all.
type observeConfig struct {
	adminAddr   string
	metricsAddr string
}

// loadObserveConfig reads the endpoint keys of the zoo.cfg at path, then
// applies the flags.
func loadObserveConfig(path string, o observeOptions) (observeConfig, error) {
	f, err := zoocfg.Load(path)
	if err != nil {
		return observeConfig{}, err
	}
	return observeConfigOf(f, o)
}

// observeConfigOf is loadObserveConfig on a parsed file.
func observeConfigOf(f *zoocfg.File, o observeOptions) (observeConfig, error) {
	var c observeConfig
	get := func(key, def string) string {
		if v, ok := f.Get(key); ok && v != "" {
			return v
		}
		return def
	}
	// Java's Boolean.parseBoolean: "true" in any case, anything else false.
	if strings.EqualFold(get(keyAdminEnable, "false"), "true") {
		addr, err := hostPort(keyAdminPort, get(keyAdminAddress, defaultAdminAddr), get(keyAdminPort, defaultAdminPort))
		if err != nil {
			return c, err
		}
		c.adminAddr = addr
	}
	if get(keyMetricsClass, "") == prometheusClass {
		addr, err := hostPort(keyMetricsPort, get(keyMetricsHost, defaultMetrics), get(keyMetricsPort, defaultMetricsPt))
		if err != nil {
			return c, err
		}
		c.metricsAddr = addr
	}
	for flagName, v := range map[string]string{"--admin-addr": o.adminAddr, "--metrics-addr": o.metricsAddr} {
		if v == "" {
			continue
		}
		host, port, err := net.SplitHostPort(v)
		if err != nil {
			return c, fmt.Errorf("%w: %s=%q: want host:port", errBadObserveSetting, flagName, v)
		}
		if _, err := hostPort(flagName, host, port); err != nil {
			return c, err
		}
	}
	if o.adminAddr != "" {
		c.adminAddr = o.adminAddr
	}
	if o.metricsAddr != "" {
		c.metricsAddr = o.metricsAddr
	}
	return c, nil
}

// hostPort checks a port (0..65535; 0 picks a free one) and joins it to
// host.
func hostPort(key, host, port string) (string, error) {
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("%w: %s=%q: want a port number 0..65535", errBadObserveSetting, key, port)
	}
	return net.JoinHostPort(host, strconv.Itoa(n)), nil
}

// observer is what a running node serves besides elections: its history,
// and the admin and metrics endpoints if enabled.
type observer struct {
	watcher *history.Watcher
	servers []*admin.Server
	log     *slog.Logger
}

// startObserve attaches the election history to node and starts the
// endpoints c enables. since is when the node started.
func startObserve(node *actors.Node, cfg actors.Config, c observeConfig, log *slog.Logger, since time.Time) (*observer, error) {
	rec, err := history.New(history.DefaultCapacity)
	if err != nil {
		return nil, err
	}
	obs := &observer{log: log}
	if c.metricsAddr != "" {
		m, err := metrics.New(node, rec, metrics.Options{})
		if err != nil {
			return nil, err
		}
		mux := newMetricsMux(m)
		srv, err := admin.Listen(c.metricsAddr, mux)
		if err != nil {
			return nil, fmt.Errorf("metrics endpoint: %w", err)
		}
		obs.servers = append(obs.servers, srv)
		log.Info("metrics endpoint started", "addr", srv.Addr(), "path", metricsPath)
	}
	if c.adminAddr != "" {
		h, err := admin.NewHandler(admin.Options{Node: node, Recorder: rec, Verifier: cfg.Verifier, Logger: log})
		if err == nil {
			var srv *admin.Server
			if srv, err = admin.Listen(c.adminAddr, h); err == nil {
				obs.servers = append(obs.servers, srv)
				log.Info("admin endpoint started", "addr", srv.Addr(), "path", admin.Prefix)
			}
		}
		if err != nil {
			obs.stop()
			return nil, fmt.Errorf("admin endpoint: %w", err)
		}
	}
	obs.watcher = history.Watch(node, rec, since)
	return obs, nil
}

// stop shuts the endpoints down (requests in flight get a few seconds)
// and detaches the history.
func (o *observer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range o.servers {
		if err := s.Shutdown(ctx); err != nil {
			o.log.Warn("endpoint shutdown", "addr", s.Addr(), "reason", err.Error())
		}
	}
	if o.watcher != nil {
		o.watcher.Stop()
	}
}

// newMetricsMux serves the metrics at /metrics and a 404 elsewhere.
func newMetricsMux(m *metrics.Metrics) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle(metricsPath, m.Handler())
	return mux
}
