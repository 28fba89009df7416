package prices

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount of US dollars counted in nano-dollars (1e-9 USD).
//
// Integers add without drift: a million calls costing $0.000000150 each sum to exactly $0.15, where float64
// dollars would pick up rounding error on every addition. An int64 holds ±9.2 billion dollars.
type Money int64

// Common amounts.
const (
	NanoDollar Money = 1
	Cent       Money = 10_000_000
	Dollar     Money = 1_000_000_000
)

// Dollars converts m to float64 dollars, for charts and ratios; add Money values, not these.
func (m Money) Dollars() float64 { return float64(m) / float64(Dollar) }

// String formats m as dollars with as many decimals as it needs, at least two: "$1.50", "$0.000123",
// "-$0.000000001".
func (m Money) String() string {
	sign := ""
	u := uint64(m)
	if m < 0 {
		sign = "-"
		u = uint64(-m) // also right for math.MinInt64, whose negation wraps to itself as uint64
	}
	whole, frac := u/uint64(Dollar), u%uint64(Dollar)
	f := fmt.Sprintf("%09d", frac)
	f = strings.TrimRight(f, "0")
	for len(f) < 2 {
		f += "0"
	}
	return sign + "$" + strconv.FormatUint(whole, 10) + "." + f
}

// ParseDollars reads a decimal dollar amount such as "2.50", "0.075", "$1" or "-$0.50" exactly, without going through
// float64. More than nine decimals is an error: Money cannot hold them.
func ParseDollars(s string) (Money, error) {
	orig := s
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	s = strings.TrimPrefix(s, "$")
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && frac == "" || hasDot && frac == "" {
		return 0, fmt.Errorf("prices: %q is not a dollar amount", orig)
	}
	if len(frac) > 9 {
		return 0, fmt.Errorf("prices: %q has more than 9 decimals (Money counts nano-dollars)", orig)
	}
	var w uint64
	if whole != "" {
		var err error
		if w, err = strconv.ParseUint(whole, 10, 63); err != nil || w > uint64(1<<63-1)/uint64(Dollar) {
			return 0, fmt.Errorf("prices: %q is not a dollar amount in range", orig)
		}
	}
	var f uint64
	if frac != "" {
		var err error
		if f, err = strconv.ParseUint(frac+strings.Repeat("0", 9-len(frac)), 10, 64); err != nil {
			return 0, fmt.Errorf("prices: %q is not a dollar amount", orig)
		}
	}
	m := Money(w*uint64(Dollar) + f)
	if m < 0 {
		return 0, fmt.Errorf("prices: %q is out of range", orig)
	}
	if neg {
		m = -m
	}
	return m, nil
}
