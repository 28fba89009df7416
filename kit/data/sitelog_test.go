package data

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func readAll(t testing.TB, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSiteLogSizes(t *testing.T) {
	for _, size := range []int64{-5, 0, 1, 50, 129, 130, 199, 200, 201, 333, 1000, 4096, 32 << 10, 100_000, 1 << 20} {
		b := readAll(t, SiteLog(size, 42))
		if int64(len(b)) != max(size, 0) {
			t.Errorf("SiteLog(%d) gave %d bytes", size, len(b))
		}
		if size >= 200 && !bytes.HasSuffix(b, []byte("\n\n")) {
			t.Errorf("SiteLog(%d) does not end with a blank line: %q", size, b[max(0, len(b)-40):])
		}
	}
}

func TestSiteLogDeterministic(t *testing.T) {
	const size = 300_000
	a := readAll(t, SiteLog(size, 7))
	// Same seed, read one byte at a time and in odd sizes: same bytes.
	if b := readAll(t, iotest.OneByteReader(SiteLog(size, 7))); !bytes.Equal(a, b) {
		t.Error("one-byte reads gave different bytes")
	}
	if b := readAll(t, bufio.NewReaderSize(SiteLog(size, 7), 17)); !bytes.Equal(a, b) {
		t.Error("17-byte reads gave different bytes")
	}
	if c := readAll(t, SiteLog(size, 8)); bytes.Equal(a, c) {
		t.Error("seeds 7 and 8 gave the same log")
	}
	// A longer log starts like a shorter one except for the shorter one's cut last record.
	long := readAll(t, SiteLog(2*size, 7))
	cut := bytes.LastIndex(a[:len(a)-2], []byte("\n\n"))
	if !bytes.Equal(a[:cut], long[:cut]) {
		t.Error("the log depends on its size before the last record")
	}
	if err := iotest.TestReader(SiteLog(10_000, 3), readAll(t, SiteLog(10_000, 3))); err != nil {
		t.Error(err)
	}
}

func TestSiteLogRecords(t *testing.T) {
	b := readAll(t, SiteLog(2<<20, 1))
	records := strings.Split(strings.TrimSuffix(string(b), "\n\n"), "\n\n")
	if len(records) < 5000 {
		t.Fatalf("only %d records in 2 MiB", len(records))
	}
	fields := []string{"timestamp: ", "site: ", "crew: ", "event: ", "note: "}
	var long, actions int
	prev := ""
	for i, rec := range records {
		lines := strings.Split(rec, "\n")
		if len(lines) < 5 || len(lines) > 6 {
			t.Fatalf("record %d has %d lines:\n%s", i, len(lines), rec)
		}
		for j, f := range fields {
			if !strings.HasPrefix(lines[j], f) || len(lines[j]) == len(f) && i != len(records)-1 {
				t.Fatalf("record %d line %d is %q, want %q…", i, j, lines[j], f)
			}
		}
		if len(lines) == 6 {
			if !strings.HasPrefix(lines[5], "action: ") {
				t.Fatalf("record %d: extra line %q", i, lines[5])
			}
			actions++
		}
		ts := strings.TrimPrefix(lines[0], "timestamp: ")
		if len(ts) != len("2025-03-03T06:00:00Z") || ts <= prev {
			t.Fatalf("record %d: timestamp %q not after %q", i, ts, prev)
		}
		prev = ts
		if len(lines[4]) > 1024 {
			long++
		}
	}
	if long == 0 || long > len(records)/20 {
		t.Errorf("%d long lines in %d records; want a few (about 1 in 50)", long, len(records))
	}
	if actions < len(records)/8 || actions > len(records)/2 {
		t.Errorf("%d action lines in %d records; want about 1 in 4", actions, len(records))
	}
	avg := len(b) / len(records)
	if avg < 200 || avg > 450 {
		t.Errorf("average record %d bytes; the doc says roughly 300", avg)
	}
	t.Logf("%d records, %d long lines, average %d bytes", len(records), long, avg)
}

func BenchmarkSiteLog(b *testing.B) {
	const size = 64 << 20
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		n, err := io.Copy(io.Discard, SiteLog(size, 1))
		if err != nil || n != size {
			b.Fatal(n, err)
		}
	}
}

func TestSiteLogRoutineEntries(t *testing.T) {
	b := readAll(t, SiteLog(4<<20, 1))
	records := strings.Split(strings.TrimSuffix(string(b), "\n\n"), "\n\n")
	records = records[:len(records)-1] // the last one is cut to size
	seen := map[string]int{}           // a routine record without its timestamp line → how often
	routine := 0
	for _, rec := range records {
		body := rec[strings.IndexByte(rec, '\n')+1:]
		for _, r := range routines {
			if strings.Contains(body, "\nevent: "+r.event+"\n") {
				routine++
				seen[body]++
				if !strings.HasSuffix(body, "\ncrew: "+r.crew+"\nevent: "+r.event+"\nnote: "+r.note) {
					t.Fatalf("routine entry %q is not written the routine's way:\n%s", r.event, rec)
				}
			}
		}
	}
	// About one record in RoutineEvery is routine, and each is one of RoutineEntries records, word for word once
	// the timestamp is set aside.
	if lo, hi := len(records)/RoutineEvery*9/10, len(records)/RoutineEvery*11/10; routine < lo || routine > hi {
		t.Errorf("%d routine entries in %d records; want about 1 in %d", routine, len(records), RoutineEvery)
	}
	if len(seen) > RoutineEntries || len(seen) < RoutineEntries/2 {
		t.Errorf("%d distinct routine entries; want at most %d (and most of them in %d records)", len(seen),
			RoutineEntries, len(records))
	}
	t.Logf("%d records, %d routine entries, %d distinct", len(records), routine, len(seen))
}
