package portal

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are exported at /metrics for Prometheus.
type metrics struct {
	reg             *prometheus.Registry
	requests        *prometheus.HistogramVec
	search          *prometheus.HistogramVec
	rateLimited     *prometheus.CounterVec
	rateStoreErrors prometheus.Counter
}

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gongshi_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route", "method", "status"})
	m.search = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gongshi_search_duration_seconds", Help: "Search latency by query class.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 3},
	}, []string{"class"})
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gongshi_rate_limited_total", Help: "Requests answered 429, by budget.",
	}, []string{"budget"})
	m.rateStoreErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "gongshi_rate_limit_store_errors_total", Help: "Rate-limit store failures (counted in-process instead).",
	})
	generation := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gongshi_index_generation_built_timestamp_seconds", Help: "Build time of the serving generation.",
	}, func() float64 {
		if info, ok := s.live.Current(); ok {
			return float64(info.BuiltAt.Unix())
		}
		return 0
	})
	docs := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gongshi_index_documents", Help: "Entities plus records in the serving generation.",
	}, func() float64 {
		if info, ok := s.live.Current(); ok {
			return float64(info.Entities + info.Records)
		}
		return 0
	})
	seq := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gongshi_data_sequence", Help: "Data sequence number of the serving generation (X-Data-Version).",
	}, func() float64 {
		served, _ := s.lag()
		return float64(served)
	})
	newest := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gongshi_data_sequence_newest", Help: "Data sequence number of the data folder's current generation, as last read.",
	}, func() float64 {
		_, newest := s.lag()
		return float64(newest)
	})
	m.reg.MustRegister(m.requests, m.search, m.rateLimited, m.rateStoreErrors, generation, docs, seq, newest,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe records every request's latency under its route pattern (never the raw path, which
// would let clients create unbounded label values).
func (m *metrics) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Observe(time.Since(start).Seconds())
	}
}

func (m *metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
}
