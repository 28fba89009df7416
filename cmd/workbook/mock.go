package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/llmperf/workbook/mock"
)

func init() {
	register(command{Name: "mock", Summary: "run the OpenAI-compatible mock LLM server", Run: runMock})
}

func runMock(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg mock.Config
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	fs.DurationVar(&cfg.TTFT, "ttft", 0, "time to first token, e.g. 500ms")
	fs.DurationVar(&cfg.InterToken, "inter-token", 0, "time per further output token, e.g. 12ms (about 80 tokens/s)")
	fs.Float64Var(&cfg.Jitter, "jitter", 0, "± fraction of latency drawn per request, e.g. 0.2")
	fs.Float64Var(&cfg.TailRate, "tail-rate", 0, "probability that a request is in the slow tail, e.g. 0.05")
	fs.DurationVar(&cfg.TailDelay, "tail-delay", 0, "extra time to first token in the slow tail, e.g. 5s")
	fs.IntVar(&cfg.RPM, "rpm", 0, "requests per minute per model (0 = unlimited)")
	fs.IntVar(&cfg.TPM, "tpm", 0, "tokens per minute per model (0 = unlimited)")
	fs.Float64Var(&cfg.StartUsed, "start-used", 0, "fraction of each model's minute already used at start, e.g. 0.6")
	fs.Float64Var(&cfg.FaultRate, "fault-rate", 0, "probability that a request gets a fault, e.g. 0.1")
	faults := fs.String("faults", "", "comma-separated fault kinds to draw from: 500,503,429,drop,slow-first-byte (default all)")
	fs.DurationVar(&cfg.SlowFirstByte, "slow-first-byte", 30*time.Second, "delay of the slow-first-byte fault")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed for jitter, tail and faults")
	fs.IntVar(&cfg.AnswerTokens, "answer-tokens", 0, "fix every answer's length in tokens (0 = 20 to 99, from a hash of the request)")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body", 8<<20, "largest request body in bytes")
	fs.IntVar(&cfg.MaxConcurrent, "max-concurrent", mock.DefaultMaxConcurrent, "API requests served at once; one more gets a 503 (code overloaded)")
	fs.Int64Var(&cfg.TokenCacheBytes, "token-cache", 16<<20, "bytes of token ids remembered for repeated texts")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", 10*time.Second, "time a client has to send a request's headers and body")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", 2*time.Minute, "time an idle keep-alive connection is kept open")
	verbose := fs.Bool("v", false, "log every request to stderr")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: workbook mock [flags]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Serves an OpenAI-compatible API (chat completions, streaming, embeddings, models) with")
		fmt.Fprintln(stderr, "deterministic answers, real token counts, and the latency, rate limits and faults you ask for.")
		fmt.Fprintln(stderr, "Counters: GET /mock/stats; POST /mock/reset clears them.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return exitError(2)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "workbook mock: unexpected arguments %q\n", fs.Args())
		return exitError(2)
	}
	if *faults != "" {
		for _, name := range strings.Split(*faults, ",") {
			f, err := mock.ParseFault(strings.TrimSpace(name))
			if err != nil {
				return err
			}
			cfg.Faults = append(cfg.Faults, f)
		}
	}
	if cfg.FaultRate < 0 || cfg.FaultRate > 1 || cfg.TailRate < 0 || cfg.TailRate > 1 || cfg.Jitter < 0 || cfg.Jitter > 1 {
		return errors.New("-fault-rate, -tail-rate and -jitter must be between 0 and 1")
	}
	if err := cfg.Validate(); err != nil { // durations and counts: each maps to the flag of the same name
		return fmt.Errorf("bad flag value: %w", err)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// Load the tokenizers before saying we listen, so no request pays for them.
	if err := mock.Warm(); err != nil {
		ln.Close()
		return err
	}
	srv := mock.New(cfg).HTTPServer() // read, write and idle timeouts fit for the configuration
	if *verbose {
		srv.Handler = logRequests(srv.Handler, stderr)
	}
	srv.BaseContext = func(net.Listener) context.Context { return ctx } // in-flight waits end on shutdown
	base := "http://" + ln.Addr().String() + "/v1"
	fmt.Fprintf(stdout, "mock OpenAI server listening on %s\n", base)
	fmt.Fprintln(stdout, "Point any OpenAI client at it:")
	fmt.Fprintf(stdout, "  export OPENAI_BASE_URL=%s\n", base)
	fmt.Fprintln(stdout, "  export OPENAI_API_KEY=mock   # any value; the mock ignores it")
	fmt.Fprintf(stdout, "Counters: curl %s\n", strings.TrimSuffix(base, "/v1")+mock.PathStats)
	fmt.Fprintln(stdout, "Stop with Ctrl-C.")

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
	}
	<-errc
	fmt.Fprintln(stdout, "mock server stopped")
	return nil
}

// logRequests logs method, path, status and duration of every request. Headers (and so API keys) are never
// logged.
func logRequests(h http.Handler, w io.Writer) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &codeWriter{ResponseWriter: rw, code: http.StatusOK}
		defer func() {
			fmt.Fprintf(w, "%s %s %s %d %v\n", start.Format("15:04:05.000"), r.Method, r.URL.Path, sw.code, time.Since(start).Round(time.Millisecond))
		}()
		h.ServeHTTP(sw, r)
	})
}

type codeWriter struct {
	http.ResponseWriter
	code int
}

func (c *codeWriter) WriteHeader(code int) { c.code = code; c.ResponseWriter.WriteHeader(code) }

func (c *codeWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (c *codeWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
