package prices

import "testing"

func TestCost(t *testing.T) {
	mini := Price{Model: "gpt-4o-mini", Input: 15 * Cent, CachedInput: 75 * Cent / 10, Output: 60 * Cent}
	odd := Price{Model: "odd", Input: 1, CachedInput: 1, Output: 1_500_000} // fractions of a nano-dollar per token
	for _, tc := range []struct {
		name                       string
		p                          Price
		prompt, cached, completion int
		want                       Money
	}{
		{"zero tokens", mini, 0, 0, 0, 0},
		{"one input token", mini, 1, 0, 0, 150},
		{"one output token", mini, 0, 0, 1, 600},
		{"1M input", mini, 1_000_000, 0, 0, 15 * Cent},
		{"cached half", mini, 2000, 1000, 0, 1000*150 + 1000*75},
		{"typical call", mini, 1200, 0, 300, 1200*150 + 300*600},
		{"cached capped at prompt", mini, 10, 50, 0, 10 * 75},
		{"negatives are zero", mini, -5, -1, -7, 0},
		{"rounds half up", odd, 0, 0, 1, 2},
		{"rounds down below half", odd, 499_999, 0, 0, 0},
		{"rounds half up input", odd, 500_000, 0, 0, 1},
		{"big counts no overflow", Price{Input: 10 * Dollar, Output: 80 * Dollar}, 1 << 40, 0, 1 << 40,
			(1 << 40) * (10_000 + 80_000)}, // $10/1M is 10,000 nano-dollars a token
	} {
		if got := tc.p.Cost(tc.prompt, tc.cached, tc.completion); got != tc.want {
			t.Errorf("%s: Cost(%d, %d, %d) = %v (%d), want %v (%d)", tc.name, tc.prompt, tc.cached, tc.completion,
				got, int64(got), tc.want, int64(tc.want))
		}
	}
}

// TestSumIsExact is why Money is an integer: a million tiny costs add up to exactly what one multiplication gives,
// where float64 dollars drift.
func TestSumIsExact(t *testing.T) {
	p, err := Default().Lookup("gpt-4o-mini")
	if err != nil {
		t.Fatal(err)
	}
	one := p.Cost(7, 0, 3) // 7×150 + 3×600 = 2850 nano-dollars
	var sum Money
	var fsum float64
	for range 1_000_000 {
		sum += one
		fsum += one.Dollars()
	}
	if want := Money(2850 * 1_000_000); sum != want || sum.String() != "$2.85" {
		t.Fatalf("sum = %v (%d), want %v", sum, int64(sum), want)
	}
	if fsum == 2.85 {
		t.Log("float64 happened to be exact this time; Money is exact by construction")
	} else {
		t.Logf("float64 sum drifted to %.17g; Money sum is exactly %v", fsum, sum)
	}
}

func BenchmarkCost(b *testing.B) {
	p := Default().Lookup
	price, _ := p("gpt-4.1")
	b.ReportAllocs()
	var sum Money
	for b.Loop() {
		sum += price.Cost(1200, 1024, 350)
	}
	_ = sum
}
