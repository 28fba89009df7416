package tokens

import (
	"slices"
	"strings"
	"testing"
)

// Text without long runs is encoded exactly as tiktoken does, however long the text is.
func TestEncodeExactWithoutLongRuns(t *testing.T) {
	text := strings.Repeat("The crane on site 4 stopped at 10:42, wind 61 km/h — über limit; 風速超過。\n", 40)
	for _, name := range []string{O200kBase, Cl100kBase} {
		e, err := ForEncoding(name)
		if err != nil {
			t.Fatal(err)
		}
		got, want := e.Encode(text), e.tk.EncodeOrdinary(text)
		if !slices.Equal(got, want) {
			t.Errorf("%s: Encode differs from tiktoken on ordinary text (%d vs %d tokens)", name, len(got), len(want))
		}
	}
}

// A run longer than MaxRun is cut into slices: the text still round-trips and the count stays within one token
// per slice of tiktoken's own (quadratic-time) count.
func TestEncodeLongRuns(t *testing.T) {
	for _, run := range []string{"a", "Ab", " ", "-", "é", "中", "=\n"} {
		text := "start " + strings.Repeat(run, 3000/len(run)) + " end"
		for _, name := range []string{O200kBase, Cl100kBase} {
			e, _ := ForEncoding(name)
			ids := e.Encode(text)
			if got := e.Decode(ids); got != text {
				t.Errorf("%s %q: round trip lost text", name, run)
			}
			exact := len(e.tk.EncodeOrdinary(text))
			cuts := len(text)/MaxRun + 1
			if d := len(ids) - exact; d < -cuts || d > cuts {
				t.Errorf("%s %q×: %d tokens, tiktoken says %d (more than one per slice apart)", name, run, len(ids), exact)
			}
		}
	}
}

func TestNextCut(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{"", 0},
		{strings.Repeat("a", MaxRun), MaxRun},
		{strings.Repeat("a", MaxRun+1), MaxRun},
		{strings.Repeat("ab ", 1000), 3000},                               // many short runs: one slice
		{strings.Repeat("1", 5000), 5000},                                 // digits: the encodings split them
		{"x " + strings.Repeat("é", 200), 2 + 2*(MaxRun/2)},               // cut at a rune boundary
		{strings.Repeat("-", 10) + strings.Repeat("b", 300), 10 + MaxRun}, // the run starts after the dashes
	} {
		if got := nextCut(tc.text); got != tc.want {
			t.Errorf("nextCut(%.20q… %d bytes) = %d, want %d", tc.text, len(tc.text), got, tc.want)
		}
	}
}

// BenchmarkLongRun counts a 64 KiB run of one letter: linear time, about the per-byte cost of ordinary text
// (compare BenchmarkCount's MB/s); tiktoken alone needs seconds for it.
func BenchmarkLongRun(b *testing.B) {
	e, _ := ForEncoding(O200kBase)
	text := strings.Repeat("a", 64<<10)
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		sink = e.Count(text)
	}
}

var sink int
