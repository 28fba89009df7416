package streamingtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/llmperf/workbook/lessons/streaming"
	"github.com/llmperf/workbook/lessons/suite"
	"github.com/llmperf/workbook/lessons/todo"
)

func testRecords(t *testing.T, records streaming.RecordsFunc) {
	for range records(strings.NewReader("")) { // in the test's goroutine, so a stub's stop is caught
	}
	suite.RunChecks(t, recordsChecks(records))
}

// recordsChecks are the properties a record iterator must have.
func recordsChecks(records streaming.RecordsFunc) []suite.Check {
	return []suite.Check{
		{Name: "cases", Run: func(*testing.T) error { return checkRecordCases(records) }},
		{Name: "generated", Run: func(*testing.T) error { return checkRecordsGenerated(records) }},
		{Name: "long-lines", Run: func(*testing.T) error { return checkRecordsLongLines(records) }},
		{Name: "read-error", Run: func(*testing.T) error { return checkRecordsReadError(records) }},
		{Name: "early-break", Run: func(*testing.T) error { return checkRecordsEarlyBreak(records) }},
		{Name: "streams", Run: func(*testing.T) error { return checkRecordsStreams(records) }},
	}
}

var recordCases = []struct {
	name, in string
	want     []string
}{
	{"empty", "", nil},
	{"only blank lines", "\n\n \n\t\n", nil},
	{"one record", "a\nb\n", []string{"a\nb"}},
	{"no final newline", "a\nb", []string{"a\nb"}},
	{"two records", "a\n\nb\n", []string{"a", "b"}},
	{"crlf", "a\r\nb\r\n\r\nc\r\n", []string{"a\nb", "c"}},
	{"crlf no final newline", "a\r\n\r\nc", []string{"a", "c"}},
	{"many blank lines", "\n\n\na\n\n\n\n\nb\n\n\n", []string{"a", "b"}},
	{"white-space line separates", "a\n  \t\nb", []string{"a", "b"}},
	{"spaces inside kept", "  a  b \n c\n", []string{"  a  b \n c"}},
	{"carriage return inside kept", "a\rb\n", []string{"a\rb"}},
	{"unicode", "héllo 世界 🚧\n\nzürich", []string{"héllo 世界 🚧", "zürich"}},
}

// readers wraps an input the ways a real reader may deliver it: all at once, a byte at a time, in halves, with
// io.EOF along with the last data.
var readers = []struct {
	name string
	wrap func(io.Reader) io.Reader
}{
	{"plain", func(r io.Reader) io.Reader { return r }},
	{"one byte", iotest.OneByteReader},
	{"half", iotest.HalfReader},
	{"eof with data", iotest.DataErrReader},
}

func checkRecordCases(records streaming.RecordsFunc) error {
	for _, c := range recordCases {
		for _, rd := range readers {
			got, err := collect(records(rd.wrap(strings.NewReader(c.in))), -1)
			if err != nil {
				return fmt.Errorf("%s input %s (%s reader): %v", c.name, quote(c.in), rd.name, err)
			}
			if !slices.Equal(got, c.want) {
				return fmt.Errorf("%s input %s (%s reader): got records %s, want %s",
					c.name, quote(c.in), rd.name, quoteAll(got), quoteAll(c.want))
			}
		}
	}
	return nil
}

func checkRecordsGenerated(records streaming.RecordsFunc) error {
	for seed := range uint64(300) {
		in := randomLog(rand.New(rand.NewPCG(seed, 3)))
		want := splitRecords(in)
		rd := readers[seed%uint64(len(readers))]
		got, err := collect(records(rd.wrap(strings.NewReader(in))), -1)
		if err != nil {
			return fmt.Errorf("generated input %s (%s reader): %v", quote(in), rd.name, err)
		}
		if !slices.Equal(got, want) {
			return fmt.Errorf("generated input %s (%s reader): got records %s, want %s",
				quote(in), rd.name, quoteAll(got), quoteAll(want))
		}
	}
	return nil
}

func checkRecordsLongLines(records streaming.RecordsFunc) error {
	long := strings.Repeat("concrete pour at grid C4; ", 3*bufio.MaxScanTokenSize/26)
	in := "first\n\n" + long + "\nnext line\n\r\n" + long + long
	want := []string{"first", long + "\nnext line", long + long}
	got, err := collect(records(strings.NewReader(in)), -1)
	if err != nil {
		return fmt.Errorf("records with lines of %d bytes (bufio.MaxScanTokenSize is %d): %v",
			len(long), bufio.MaxScanTokenSize, err)
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("records with lines of %d bytes (bufio.MaxScanTokenSize is %d): got %s, want %s",
			len(long), bufio.MaxScanTokenSize, quoteAll(got), quoteAll(want))
	}
	return nil
}

var errDisk = errors.New("disk on fire")

func checkRecordsReadError(records streaming.RecordsFunc) error {
	for _, in := range []string{"", "a\n\nb\n\n", "a\n\nb\nc", "a\r\n\r\nb\r\n"} {
		r := io.MultiReader(strings.NewReader(in), iotest.ErrReader(errDisk))
		var got []string
		var errs []error
		after := false
		err := safeRange(records(r), func(rec string, err error) bool {
			switch {
			case err != nil:
				errs = append(errs, err)
			case len(errs) > 0:
				after = true
				return false
			default:
				got = append(got, rec)
			}
			return len(errs) < 3
		})
		if err != nil {
			return fmt.Errorf("input %s then a read error: %v", quote(in), err)
		}
		if after {
			return fmt.Errorf("input %s then a read error: yielded a record after the error: stop after "+
				"yielding it", quote(in))
		}
		if len(errs) != 1 {
			return fmt.Errorf("input %s then a read error: yielded %d errors (%v), want exactly one, and "+
				"nothing after it", quote(in), len(errs), errs)
		}
		if !errors.Is(errs[0], errDisk) {
			return fmt.Errorf("input %s then a read error: yielded error %q, which does not wrap the reader's "+
				"error (errors.Is fails): wrap it with %%w", quote(in), errs[0])
		}
		// Every record ended by a blank line was complete before the error; the last one may be yielded or
		// dropped (it may be cut short), but nothing else may be lost or invented.
		want := splitRecords(in)
		complete := want
		if !strings.HasSuffix(strings.TrimRight(in, " \t\r"), "\n\n") && len(want) > 0 {
			complete = want[:len(want)-1]
		}
		if !slices.Equal(got, complete) && !slices.Equal(got, want) {
			return fmt.Errorf("input %s then a read error: got records %s before the error, want %s",
				quote(in), quoteAll(got), quoteAll(complete))
		}
	}
	return nil
}

func checkRecordsEarlyBreak(records streaming.RecordsFunc) error {
	in := "a\n\nb\n\nc\n\n"
	for _, stop := range []int{1, 2} {
		got, err := collect(records(strings.NewReader(in)), stop)
		if err != nil {
			return fmt.Errorf("consumer stops after %d records: %v", stop, err)
		}
		if !slices.Equal(got, []string{"a", "b"}[:stop]) {
			return fmt.Errorf("consumer stops after %d records: got %s", stop, quoteAll(got))
		}
	}
	// Breaking on the error must be safe too.
	r := io.MultiReader(strings.NewReader("a\n\n"), iotest.ErrReader(errDisk))
	if err := safeRange(records(r), func(_ string, err error) bool { return err == nil }); err != nil {
		return fmt.Errorf("consumer stops at the read error: %v", err)
	}
	return nil
}

// checkRecordsStreams breaks after a few records of a long input and checks how much was read: a record
// iterator reads as it goes, it does not slurp the input first.
func checkRecordsStreams(records streaming.RecordsFunc) error {
	const size, limit = 64 << 20, 1 << 20
	r := &countingReader{r: &repeatReader{pattern: "08:00 crane lift\nload 4.2 t\n\n", left: size}}
	got, err := collect(records(r), 3)
	if err != nil {
		return fmt.Errorf("first 3 records of a %d MiB input: %v", size>>20, err)
	}
	if len(got) != 3 {
		return fmt.Errorf("first 3 records of a %d MiB input: got %d records", size>>20, len(got))
	}
	if r.n > limit {
		return fmt.Errorf("yielding the first 3 records of a %d MiB input read %d bytes: read as you go "+
			"(bufio), don't read the whole input first", size>>20, r.n)
	}
	return nil
}

// collect ranges over seq until it ends, the consumer has taken limit records (limit < 0: no limit), or an
// error is yielded (returned).
func collect(seq iter.Seq2[string, error], limit int) ([]string, error) {
	var got []string
	var yielded error
	err := safeRange(seq, func(rec string, err error) bool {
		if err != nil {
			yielded = fmt.Errorf("yielded error %q", err)
			return false
		}
		if rec == "" {
			yielded = errors.New(`yielded an empty record: blank lines separate records, they are not records`)
			return false
		}
		got = append(got, rec)
		return limit < 0 || len(got) < limit
	})
	if err != nil {
		return got, err
	}
	return got, yielded
}

// safeRange ranges over seq with body and turns a panic (like yield called after it returned false) into an
// error. A stub's stop goes through.
func safeRange(seq iter.Seq2[string, error], body func(string, error) bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if nd, ok := r.(todo.NotDone); ok {
				panic(nd)
			}
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	for rec, e := range seq {
		if !body(rec, e) {
			break
		}
	}
	return nil
}

// splitRecords is the reference: lines end with "\n" or "\r\n"; a line of white space only is blank; a record
// is a run of non-blank lines joined with "\n".
func splitRecords(in string) []string {
	var out, cur []string
	for line := range strings.Lines(in) {
		line = strings.TrimSuffix(line, "\n")
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			if len(cur) > 0 {
				out = append(out, strings.Join(cur, "\n"))
				cur = cur[:0]
			}
			continue
		}
		cur = append(cur, line)
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, "\n"))
	}
	return out
}

// randomLog is a small log with random records, line endings, blank runs and white space.
func randomLog(rng *rand.Rand) string {
	words := []string{"crane", "pour", "C4", "rebar", "inspection", "delay", "  indent", "tab\there", "ünïcode",
		"🚧", "42.5t", "x"}
	var b strings.Builder
	for range rng.IntN(6) {
		eol := []string{"\n", "\r\n"}[rng.IntN(2)]
		for range 1 + rng.IntN(4) {
			for i := range 1 + rng.IntN(5) {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(words[rng.IntN(len(words))])
			}
			b.WriteString(eol)
		}
		for range rng.IntN(4) {
			b.WriteString([]string{"", " ", "\t", "  \t "}[rng.IntN(4)])
			b.WriteString(eol)
		}
	}
	s := b.String()
	if rng.IntN(3) == 0 { // sometimes no final line ending
		s = strings.TrimRight(s, "\r\n")
	}
	return s
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// repeatReader gives left bytes of pattern, repeated, without holding them.
type repeatReader struct {
	pattern string
	off     int
	left    int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.left > 0 {
		c := copy(p[n:min(len(p), n+int(min(r.left, int64(len(r.pattern)-r.off))))], r.pattern[r.off:])
		n += c
		r.off = (r.off + c) % len(r.pattern)
		r.left -= int64(c)
	}
	return n, nil
}

// quote shows a string in an error message, cut short if long.
func quote(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q… (%d bytes)", s[:60], len(s))
	}
	return fmt.Sprintf("%q", s)
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
